// The office clerk and the graduation register (sổ gốc): gives the lookup's
// purpose once, starts a register with its scanned paper register, imports a
// CSV sheet (one row with a date that does not exist is refused, in
// Vietnamese), finds a graduate typed without diacritics, opens the entry
// beside the scan, issues a copy and downloads its PDF, corrects the entry by
// a decision and sees it in the history, then the register of copies.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";

const CSV = [
  "Họ và tên;Ngày sinh;Số hiệu bằng;Số vào sổ cấp bằng;Trường",
  "Trần Thị Hương;12/05/2008;A-0001;1;THCS Mỹ Thành",
  "Nguyễn Văn An;31/02/2008;A-0002;2;THCS Mỹ Thành",
  "Lê Minh Đức;03/11/2008;A-0003;3;THCS Mỹ Thành",
].join("\r\n") + "\r\n";

export default async function (ctx) {
  const { page } = ctx;
  const { name, password } = ctx.accounts.office;
  const scan = ctx.records["ke-hoach-44-KH-PGDDT.pdf"];
  assert.ok(scan, "samples/ changed: no ke-hoach-44-KH-PGDDT.pdf");
  await ctx.open("#/");
  await ctx.signIn(name, password);

  // The navigation offers the register to an office clerk; the purpose is asked once.
  await page.locator("#nav").getByRole("link", { name: "Sổ gốc" }).click();
  await page.getByLabel("Mục đích").fill("Cấp bản sao theo đơn đề nghị");
  await page.getByRole("button", { name: "Tiếp tục" }).click();
  await page.getByText("Mục đích tra cứu: Cấp bản sao theo đơn đề nghị").waitFor();

  // A register for THCS 2023, with the scanned paper register beside it.
  await page.getByText("Tạo sổ mới").click();
  await page.locator("#reg-new-level").selectOption("THCS");
  await page.locator("#reg-new-year").fill("2023");
  await page.locator("#reg-new-scan").fill(String(scan));
  await page.getByRole("button", { name: "Tạo sổ" }).click();
  await page.locator("#reg-registers").getByText("Sổ gốc cấp bằng tốt nghiệp THCS năm 2023").waitFor();
  await ctx.checkAxe("the register page");

  // The sheet: two rows kept, the one born on 31/02/2008 refused and said so in Vietnamese.
  await page.locator("#reg-import-file").setInputFiles({ name: "so-goc-2023.csv", mimeType: "text/csv", buffer: Buffer.from(CSV, "utf8") });
  await page.getByRole("button", { name: "Nhập", exact: true }).click();
  const report = page.locator("#reg-import-report");
  await report.getByText("Đã thêm 2 mục vào sổ.").waitFor();
  await report.getByText("1 dòng không được nhập:").waitFor();
  const refused = await page.locator("#reg-refused tbody tr").allInnerTexts();
  assert.equal(refused.length, 1, `refused rows: ${JSON.stringify(refused)}`);
  assert.match(refused[0], /^3\s+Ngày sinh\s+«31\/02\/2008» không phải là ngày có thật/, `the refused row: ${refused[0]}`);
  await ctx.checkAxe("the import report");

  // Found without diacritics.
  await page.locator("#reg-q-name").fill("tran thi huong");
  await page.getByRole("button", { name: "Tra cứu" }).click();
  const hit = page.locator("#reg-results").getByRole("link", { name: "Trần Thị Hương" });
  await hit.waitFor();
  assert.equal(await page.locator("#reg-results tbody tr").count(), 1, "the lookup found more than Trần Thị Hương");
  assert.match(await page.locator("#reg-results tbody tr").innerText(), /12\/05\/2008/, "the birth date is not shown dd/mm/yyyy");
  await hit.click();

  // The entry: its fields (dates as dd/mm/yyyy), the scan beside it.
  await page.getByRole("heading", { level: 1, name: /Trần Thị Hương/ }).waitFor();
  const fields = page.locator("#reg-fields");
  assert.match(await fields.innerText(), /Ngày sinh\s+12\/05\/2008/);
  assert.match(await fields.innerText(), /Số hiệu bằng\s+A-0001/);
  assert.match(await fields.innerText(), /Tình trạng\s+Hợp lệ/);
  assert.equal(await page.locator("#reg-scan-link").getAttribute("href"), `#/r/${scan}`);
  await page.locator("#reg-scan-viewer canvas, #reg-scan-viewer .text-view").first().waitFor({ timeout: 15000 });
  await ctx.checkAxe("the entry page");

  // A copy, and its PDF.
  await page.locator("#reg-action-copy").click();
  await page.locator("#copy-requester").fill("Trần Thị Hương");
  await page.locator("#reg-copy button[type=submit]").click();
  await page.getByText("Đã cấp bản sao số 1.").waitFor();
  const [download] = await Promise.all([page.waitForEvent("download"), page.locator("#reg-copy-pdf").click()]);
  const pdf = readFileSync(await download.path());
  assert.equal(pdf.subarray(0, 5).toString("latin1"), "%PDF-", "the copy is not a PDF");
  assert.match(download.suggestedFilename(), /\.pdf$/);

  // Corrected by a decision: the new date, and the decision in the history.
  await page.locator("#reg-action-correct").click();
  await page.locator("#correct-decision-number").fill("123/QĐ-PGDĐT");
  await page.locator("#correct-decision-date").fill("15/10/2023");
  await page.locator("#correct-decision-signer").fill("Nguyễn Văn Bình");
  await page.locator("#correct-decision-reason").fill("Ghi nhầm ngày sinh");
  await page.locator("#correct-birth_date").fill("21/05/2008");
  await ctx.checkAxe("the correction form");
  await page.getByRole("button", { name: "Lưu chỉnh sửa" }).click();
  const history = page.locator("#reg-history");
  await history.getByText("Quyết định 123/QĐ-PGDĐT ngày 15/10/2023, người ký Nguyễn Văn Bình: Ghi nhầm ngày sinh").waitFor();
  assert.match(await history.innerText(), /Ngày sinh: 12\/05\/2008 → 21\/05\/2008/);
  assert.match(await page.locator("#reg-fields").innerText(), /Ngày sinh\s+21\/05\/2008/);
  assert.match(await page.locator("#reg-fields").innerText(), /Tình trạng\s+Đã chỉnh sửa/);

  // The register of copies.
  await page.getByRole("link", { name: "Sổ cấp bản sao" }).click();
  const copies = page.locator("#reg-copies tbody tr");
  await copies.first().waitFor();
  assert.equal(await copies.count(), 1);
  assert.match(await copies.first().innerText(), /^1\s+#\d+\s+THCS-MT/);
  await ctx.checkAxe("the register of copies");
  await page.setViewportSize({ width: 360, height: 740 });
  await ctx.checkNoHorizontalScroll("the register of copies at 360 px");
  await page.getByRole("link", { name: "Tra cứu sổ gốc" }).click();
  await page.locator("#reg-import").waitFor();
  await ctx.checkNoHorizontalScroll("the register page at 360 px");
}
