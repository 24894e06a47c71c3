// A phone 360 px wide: every page fits without scrolling sideways: search
// (with results, a long address and a long file name among them), browse,
// sign-in, a record with its viewer, and, signed in, upload and the audit log.
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
  await ctx.open("#/");
  await ctx.checkNoHorizontalScroll("the empty search page");
  for (const q of ["tot nghiep", "chuyen doi so", "44/KH-PGDĐT", "tuyen sinh truc tuyen"]) {
    await ctx.search(q);
    await ctx.checkNoHorizontalScroll(`results for "${q}"`);
  }
  await ctx.screenshot("search");
  const plan = ctx.records["ke-hoach-44-KH-PGDDT.pdf"];
  for (const [address, label] of [["#/browse", "browse"], ["#/login", "the sign-in form"],
                                  [`#/r/${plan}?q=chuyen%20doi%20so&p=2`, "a record at its second page"]]) {
    await ctx.open(address);
    await ctx.checkNoHorizontalScroll(label);
  }
  await ctx.screenshot("record");
  const { name, password } = ctx.accounts.admin;
  await ctx.open("#/");
  await ctx.signIn(name, password);
  for (const [address, label] of [["#/upload", "upload"], ["#/audit", "the audit log"]]) {
    await ctx.open(address);
    await ctx.checkNoHorizontalScroll(label);
  }
}
