// The office clerk types an old paper register (1998) into kho beside its
// scan: the lines OCR read on the page pre-fill the entry, the clerk checks
// them and saves; the entry is then found by name without diacritics.
import assert from "node:assert/strict";
import path from "node:path";
import { SCHOOL, SOURCE_DIR } from "../lib/harness.mjs";

export default async function (ctx) {
  const { page } = ctx;
  const { name, password } = ctx.accounts.office;
  // The scan, read by Tesseract as it is imported.
  const fixture = path.join(SOURCE_DIR, "tests/fixtures/scan-so-goc-1998.png");
  const report = JSON.parse(ctx.kho("import", "--json", "--kind", "diploma", "--visibility", "private",
    "--school", SCHOOL.code, fixture));
  const scan = report.imported[0]?.id;
  assert.ok(scan, `the scan was not imported: ${JSON.stringify(report)}`);

  await ctx.open("#/");
  await ctx.signIn(name, password);
  await ctx.open("#/register");
  await page.getByLabel("Mục đích").fill("Số hoá sổ gốc năm 1998");
  await page.getByRole("button", { name: "Tiếp tục" }).click();
  await page.getByText("Tạo sổ mới").click();
  await page.locator("#reg-new-level").selectOption("THCS");
  await page.locator("#reg-new-year").fill("1998");
  await page.locator("#reg-new-scan").fill(String(scan));
  await page.getByRole("button", { name: "Tạo sổ" }).click();
  await page.getByRole("link", { name: "Nhập từ bản quét" }).click();

  // The page's lines; the clerk picks Trần Thị Hoa's and the form is filled.
  const line = page.locator("#reg-scan-lines button", { hasText: "0012302" });
  await line.waitFor({ timeout: 15000 });
  await line.click();
  assert.equal(await page.locator("#reg-type-full_name").inputValue(), "Trần Thị Hoa");
  assert.equal(await page.locator("#reg-type-birth_date").inputValue(), "07/03/1983");
  assert.match(await page.locator("#reg-type-serial").inputValue(), /^A ?0012302$/);  // OCR may close it up
  assert.equal(await page.locator("#reg-type-scan_page").inputValue(), "1");
  assert.match(await page.locator("#reg-type-scan_line").inputValue(), /^\d+$/);
  await page.locator("#reg-scan-viewer img, #reg-scan-viewer canvas").first().waitFor({ timeout: 15000 });
  await ctx.checkAxe("typing beside the scan");
  await ctx.screenshot("typing");

  // A field the clerk corrects against the paper before saving.
  await page.locator("#reg-type-school").fill("THCS Cẩm Giàng");
  await page.getByRole("button", { name: "Lưu mục này" }).click();
  await page.locator("#reg-type-saved").getByText(/Đã lưu Trần Thị Hoa/).waitFor();

  await ctx.open("#/register");
  await page.locator("#reg-q-name").fill("tran thi hoa");
  await page.getByRole("button", { name: "Tra cứu" }).click();
  await page.locator("#reg-results").getByRole("link", { name: "Trần Thị Hoa" }).click();
  await page.getByRole("heading", { level: 1, name: /Trần Thị Hoa/ }).waitFor();
  assert.match(await page.locator("#reg-fields").innerText(), /Trường\s+THCS Cẩm Giàng/);
}
