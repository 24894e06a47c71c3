// A librarian signs in: the form goes away and the page says who is signed
// in; signing out brings the "Đăng nhập" link back. (Before the application,
// the form stayed on screen: form's display: flex beat its hidden attribute.)
import assert from "node:assert/strict";

export default async function (ctx) {
  const { page } = ctx;
  const { name, password } = ctx.accounts.librarian;
  await page.goto(ctx.baseUrl + "/");
  const form = page.locator("form#login");
  assert.equal(await form.isVisible(), false, "the sign-in form shows before anyone asked for it");
  await ctx.signIn(name, password);
  await form.waitFor({ state: "hidden", timeout: 2000 }).catch(() => {
    throw new Error("the sign-in form is still on screen after signing in");
  });
  await page.getByRole("button", { name: "Đăng xuất" }).click();
  await page.getByRole("link", { name: "Đăng nhập" }).waitFor();
  assert.equal(await page.getByText(`Đã đăng nhập: ${name}`).count(), 0, "still shown as signed in");
}
