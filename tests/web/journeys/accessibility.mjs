// axe-core finds no serious or critical violation on the page: empty, with
// results and facets, with the sign-in form open, and signed in.
export default async function (ctx) {
  const { page } = ctx;
  await page.goto(ctx.baseUrl + "/");
  await ctx.checkAxe("the empty search page");
  await ctx.search("tot nghiep");
  await ctx.checkAxe("results for \"tot nghiep\"");
  await page.getByRole("link", { name: "Đăng nhập" }).click();
  await page.getByLabel("Mật khẩu").waitFor();
  await ctx.checkAxe("the sign-in form");
  const { name, password } = ctx.accounts.teacher;
  await page.getByLabel("Tên đăng nhập").fill(name);
  await page.getByLabel("Mật khẩu").fill(password);
  await page.locator("form#login").getByRole("button", { name: "Đăng nhập" }).click();
  await page.getByText(`Đã đăng nhập: ${name}`).waitFor();
  await ctx.checkAxe("signed in");
}
