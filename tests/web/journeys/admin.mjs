// The admin: creates a teacher's account in the browser, then reads the
// audit entry that made it.
import assert from "node:assert/strict";

export default async function (ctx) {
  const { page } = ctx;
  const { name, password } = ctx.accounts.admin;
  await ctx.open("#/");
  await ctx.signIn(name, password);
  await ctx.open("#/admin");
  await page.getByLabel("Tên đăng nhập").fill("gv-van");
  await page.getByLabel("Mật khẩu (ít nhất 8 ký tự)").fill("mat-khau-gv-van");
  await page.getByLabel("Vai trò").selectOption("teacher");
  await page.getByRole("button", { name: "Thêm tài khoản" }).click();
  await page.locator("#accounts tr", { hasText: "gv-van" }).waitFor();
  assert.match(await page.locator("#accounts tr", { hasText: "gv-van" }).textContent(), /Giáo viên/);
  // A password too short is refused in Vietnamese, naming the rule.
  await page.getByLabel("Tên đăng nhập").fill("gv-ngan");
  await page.getByLabel("Mật khẩu (ít nhất 8 ký tự)").fill("ngan");
  await page.getByRole("button", { name: "Thêm tài khoản" }).click();
  await page.getByText("mật khẩu quá ngắn").waitFor();

  await ctx.open("#/audit");
  const row = page.locator("#audit tbody tr", { hasText: "account-add" }).filter({ hasText: "gv-van" });
  await row.waitFor();
  assert.match(await row.textContent(), new RegExp(name));
  await ctx.screenshot("audit");
}
