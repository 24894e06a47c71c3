// The admin: creates a teacher's account in the browser, then reads the
// audit entry that made it (filtered on the server); shares a collection
// with a visitor, who opens it without an account, then revokes the link.
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
  // The admin's own row offers no way to lock themselves out.
  const own = page.locator("#accounts tr").filter({ has: page.locator("td", { hasText: new RegExp(`^${name}$`) }) });
  assert.match(await own.textContent(), /tài khoản của bạn/);
  assert.equal(await own.getByRole("button").count(), 0);
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
  // The filter asks the server: only account additions are listed.
  await page.getByLabel("Việc").fill("account-add");
  await page.getByRole("button", { name: "Lọc" }).click();
  await page.waitForFunction(() => [...document.querySelectorAll("#audit tbody tr")].every((r) => r.textContent.includes("account-add")));
  assert.ok(await page.locator("#audit tbody tr").count() >= 1);

  // A collection shared by link: the visitor sees its documents, until revoked.
  ctx.kho("edit", String(ctx.records["ke-hoach-44-KH-PGDDT.pdf"]), "collection=Công văn 2023");
  await ctx.open("#/admin");
  await page.getByLabel("Bộ sưu tập").selectOption("Công văn 2023");
  await page.locator("#share-collection-form").getByRole("button", { name: "Tạo đường dẫn" }).click();
  const url = (await page.locator("#collection-url").textContent()).trim();
  assert.match(url, /\/s\/[0-9a-f]+$/);
  const visitor = await page.context().browser().newContext();
  const v = await visitor.newPage();
  await v.goto(url, { waitUntil: "networkidle" });
  await v.getByText("Bộ sưu tập được chia sẻ với bạn").waitFor();
  await v.getByText("Kế hoạch", { exact: false }).first().waitFor();
  const link = page.locator("#share-links li", { hasText: "Bộ sưu tập Công văn 2023" });
  await link.getByRole("button", { name: "Thu hồi đường dẫn" }).click();
  await link.waitFor({ state: "detached" });
  const gone = await v.request.get(url.replace("/s/", "/api/v1/shared/"));
  assert.equal(gone.status(), 404, "a revoked collection link still answers");
  await visitor.close();
}
