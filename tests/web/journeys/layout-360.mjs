// A phone 360 px wide: the search page with results, and with the sign-in
// form open, fit without scrolling sideways.
export default async function (ctx) {
  const { page } = ctx;
  await page.setViewportSize({ width: 360, height: 740 });
  await page.goto(ctx.baseUrl + "/");
  await ctx.checkNoHorizontalScroll("the empty search page");
  for (const q of ["tot nghiep", "chuyen doi so", "44/KH-PGDĐT"]) {
    await page.getByRole("searchbox").fill(q);
    await page.getByRole("button", { name: "Tìm kiếm" }).click();
    await page.locator("#results > li").first().waitFor();
    await ctx.checkNoHorizontalScroll(`results for "${q}"`);
  }
  await page.getByRole("link", { name: "Đăng nhập" }).click();
  await page.getByPlaceholder("Mật khẩu").waitFor();
  await ctx.checkNoHorizontalScroll("the sign-in form");
}
