// A phone 360 px wide: the search page, with results (a long address and a
// long file name among them), and with the sign-in form open, fits without
// scrolling sideways.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";

export default async function (ctx) {
  const { page } = ctx;
  const dir = mkdtempSync(path.join(os.tmpdir(), "kho-web-long-"));
  try {
    const file = path.join(dir, "thong-bao-tuyen-sinh-lop-10-nam-hoc-2023-2024-truong-thpt-chuyen-nguyen-trai.txt");
    writeFileSync(file, "Thông báo tuyển sinh lớp 10 năm học 2023-2024.\n" +
      "Hồ sơ nộp trực tuyến tại https://tuyensinh.haiduong.edu.vn/dang-ky-du-tuyen/lop-10/truong-thpt-chuyen-nguyen-trai/ho-so-truc-tuyen?nam-hoc=2023-2024&dot=1\n" +
      "Mã hồ sơ: THPTCNT-2023-2024-LOP10-CHUYENTOAN-000000000000000123456789\n");
    ctx.kho("import", "--visibility", "public", "--school", ctx.school.code, file);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  await page.setViewportSize({ width: 360, height: 740 });
  await page.goto(ctx.baseUrl + "/");
  await ctx.checkNoHorizontalScroll("the empty search page");
  for (const q of ["tot nghiep", "chuyen doi so", "44/KH-PGDĐT", "tuyen sinh truc tuyen"]) {
    await ctx.search(q);
    await ctx.checkNoHorizontalScroll(`results for "${q}"`);
  }
  await page.getByRole("link", { name: "Đăng nhập" }).click();
  await page.getByLabel("Mật khẩu").waitFor();
  await ctx.checkNoHorizontalScroll("the sign-in form");
  await ctx.screenshot("360px");
}
