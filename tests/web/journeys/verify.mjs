// An anonymous visitor (an employer) verifies a diploma at /verify: by its
// serial number, year and date of birth; by the QR address of a copy; a
// tampered code; and a copy whose entry was corrected after it was issued.
// The register and the copy are made through the API by the office clerk.
import assert from "node:assert/strict";

export default async function (ctx) {
  const { page } = ctx;
  const clerk = ctx.accounts.office;
  const login = await ctx.api("/api/v1/login", { method: "POST", body: { name: clerk.name, password: clerk.password } });
  assert.equal(login.status, 200, login.text);
  const token = login.json.token;
  const reg = await ctx.api("/api/v1/register/registers", { method: "POST", token, body: { level: "THCS", year: 2023 } });
  assert.equal(reg.status, 201, reg.text);
  const entry = await ctx.api(`/api/v1/register/registers/${reg.json.id}/entries`, { method: "POST", token,
    body: { fields: { full_name: "Trần Thị Hương", birth_date: "12/05/2008", serial: "A-0001", entry_number: "1", school: "THCS Mỹ Thành" } } });
  assert.equal(entry.status, 201, entry.text);
  const copy = await ctx.api(`/api/v1/register/entries/${entry.json.id}/copies`, { method: "POST", token,
    body: { requester: "Công ty TNHH Hoà Bình", purpose: "tuyển dụng" } });
  assert.equal(copy.status, 201, copy.text);
  const code = copy.json.code;
  assert.ok(code.startsWith(ctx.baseUrl + "/verify#"), `the QR code is not this server's /verify: ${code}`);

  // By the diploma's serial number, year and date of birth.
  await page.goto(ctx.baseUrl + "/verify");
  await page.getByRole("heading", { level: 1, name: "Xác minh văn bằng" }).waitFor();
  await page.getByLabel("Số hiệu bằng").fill("A-0001");
  await page.getByLabel("Năm tốt nghiệp").fill("2023");
  await page.getByLabel("Ngày sinh").fill("12/05/2008");
  await page.getByRole("button", { name: "Xác minh" }).click();
  const verdict = page.locator("#verdict h2");
  await verdict.waitFor();
  assert.equal(await verdict.textContent(), "Văn bằng hợp lệ");
  assert.match(await verdict.textContent(), /hợp lệ/);
  const shown = await page.locator("#verify-shown").innerText();
  assert.match(shown, /Họ và tên\s+Trần Thị Hương/);
  assert.match(shown, /Ngày sinh\s+12\/05\/2008/);
  await ctx.checkAxe("the verification page");

  // The copy's QR address opens the page with the code: valid.
  await page.goto("about:blank");
  await page.goto(code);
  await page.locator("#verdict h2").waitFor();
  assert.equal(await page.locator("#verdict h2").textContent(), "Văn bằng hợp lệ");
  await page.getByText(`Bản sao số ${copy.json.number}.`).waitFor();
  await ctx.checkAxe("a copy's verification");

  // A code altered after signing.
  const sig = code.lastIndexOf(".") + 3;
  const tampered = code.slice(0, sig) + (code[sig] === "A" ? "B" : "A") + code.slice(sig + 1);
  await page.goto("about:blank");
  await page.goto(tampered);
  await page.locator("#verdict h2").waitFor();
  assert.equal(await page.locator("#verdict h2").textContent(), "Mã không hợp lệ hoặc đã bị sửa");
  assert.equal(await page.locator("#verify-shown").count(), 0, "a tampered code shows the register's data");
  await ctx.checkAxe("a tampered code");

  // Corrected after the copy was issued: the decision, and the warning.
  const fix = await ctx.api(`/api/v1/register/entries/${entry.json.id}/corrections`, { method: "POST", token,
    body: { decision: { number: "45/QĐ-PGDĐT", date: "20/10/2023", signer: "Nguyễn Văn Bình", reason: "Ghi nhầm nơi sinh" }, set: { birth_place: "Mỹ Thành" } } });
  assert.equal(fix.status, 200, fix.text);
  await page.goto("about:blank");
  await page.goto(code);
  await page.locator("#verdict h2").waitFor();
  assert.equal(await page.locator("#verdict h2").textContent(), "Đã được chỉnh sửa theo quyết định 45/QĐ-PGDĐT ngày 20/10/2023");
  await page.getByText("Sổ gốc đã được chỉnh sửa sau khi cấp bản sao này").waitFor();
  await page.setViewportSize({ width: 360, height: 740 });
  await ctx.checkNoHorizontalScroll("the verification page at 360 px");
}
