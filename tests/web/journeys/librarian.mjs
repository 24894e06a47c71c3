// The librarian: uploads a scanned page and a MARC catalogue by the upload
// page, sees each file's report, and corrects a field of a record; a date
// typed as Vietnamese write it is stored as ISO and shown in the history.
import assert from "node:assert/strict";
import path from "node:path";
import { SOURCE_DIR } from "../lib/harness.mjs";

export default async function (ctx) {
  const { page } = ctx;
  const { name, password } = ctx.accounts.librarian;
  await ctx.open("#/");
  await ctx.signIn(name, password);
  await ctx.open("#/upload");
  const fixtures = path.join(SOURCE_DIR, "tests/fixtures");
  await page.setInputFiles("#pick-files", [path.join(fixtures, "catalogue-utf8.mrc"), path.join(fixtures, "scan-dien-thoai.jpg")]);
  await page.getByLabel("Loại tài liệu").selectOption("book");
  await page.getByRole("button", { name: "Tải lên" }).click();
  await page.waitForFunction(() => [...document.querySelectorAll("#queue .state")].every((s) => /Đã thêm|Gói tệp|trùng|Không thêm/.test(s.textContent)),
    null, { timeout: 60000 });
  const states = await page.locator("#queue li").allTextContents();
  assert.ok(states.every((s) => !/Không thêm/.test(s)), `an upload failed: ${JSON.stringify(states)}`);
  await ctx.screenshot("upload");

  // Correct the scan's record: its title and its date.
  await page.locator("#queue li", { hasText: "scan-dien-thoai.jpg" }).locator("a").first().click();
  await page.getByRole("button", { name: "Sửa thông tin" }).click();
  await page.locator("#edit-date").fill("31/02/2023");
  await page.getByRole("button", { name: "Lưu" }).click();
  await page.getByText("Ngày không đúng").waitFor();
  await page.locator("#edit-title").fill("Ảnh chụp bằng điện thoại");
  await page.locator("#edit-date").fill("25/06/2023");
  await page.getByRole("button", { name: "Lưu" }).click();
  await page.locator("h1", { hasText: "Ảnh chụp bằng điện thoại" }).waitFor();
  assert.match(await page.locator("#fields").textContent(), /2023-06-25/);
  await page.locator("#history", { hasText: "2023-06-25" }).waitFor();
}
