// The catalogue taken away from the search page ("Xuất danh mục"): a visitor
// browsing the books downloads them as a sheet and gets the public ones
// only; a librarian downloads a search's result as MARC 21; a search that
// finds no book offers a visitor no export.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import path from "node:path";
import { SOURCE_DIR } from "../lib/harness.mjs";

export default async function (ctx) {
  const { page } = ctx;
  const fixtures = path.join(SOURCE_DIR, "tests/fixtures");
  ctx.kho("import", "--school", ctx.school.code, "--visibility", "public", path.join(fixtures, "danh-muc-sach.csv"));
  ctx.kho("import", "--school", ctx.school.code, "--visibility", "private", path.join(fixtures, "catalogue-utf8.mrc"));

  // A visitor browsing the books.
  await ctx.open("#/browse?kind=book");
  await page.locator("#results > li").first().waitFor();
  await page.getByText("Xuất danh mục").click();
  const formats = await page.locator("#export-formats a").allTextContents();
  assert.deepEqual(formats, ["MARC 21 (.mrc)", "MARCXML (.xml)", "Bảng CSV (Excel)", "Bảng Excel (.xlsx)"]);
  assert.ok(await page.getByLabel("Đúng các kết quả tìm kiếm này").isChecked(), "the current search is what goes out by default");
  await ctx.checkAxe("the search page with the export open");
  await ctx.screenshot("export");
  await page.setViewportSize({ width: 360, height: 740 });
  await ctx.checkNoHorizontalScroll("the export at 360 px");
  await page.setViewportSize({ width: 1280, height: 800 });
  const [sheet] = await Promise.all([page.waitForEvent("download"), page.getByRole("link", { name: "Bảng CSV (Excel)" }).click()]);
  assert.equal(sheet.suggestedFilename(), "danh-muc.csv");
  const csv = readFileSync(await sheet.path(), "utf8");
  assert.ok(csv.startsWith("\uFEFFNhan đề,Tác giả,"), `the importer's header: ${csv.slice(0, 80)}`);
  assert.match(csv, /Tô Hoài/);
  assert.doesNotMatch(csv, /Lão Hạc/, "a private book went out to a visitor");

  // Every book, not just this search: the link no longer carries the filter.
  await page.getByLabel("Toàn bộ sách của thư viện").check();
  const all = await page.getByRole("link", { name: "MARC 21 (.mrc)" }).getAttribute("href");
  assert.equal(all, "/api/v1/catalogue/export?format=iso2709");

  // A search that finds no book: nothing to export for a visitor.
  await ctx.open("#/search?q=" + encodeURIComponent("kế hoạch"));
  await page.locator("#results > li").first().waitFor();
  assert.equal(await page.locator("#export").count(), 0, "an export offered for results that are not books");

  // The librarian: a search's result as MARC, her private records too.
  const { name, password } = ctx.accounts.librarian;
  await ctx.open("#/");
  await ctx.signIn(name, password);
  await ctx.search("Lão Hạc");
  await page.getByText("Xuất danh mục").click();
  const [marc] = await Promise.all([page.waitForEvent("download"), page.getByRole("link", { name: "MARC 21 (.mrc)" }).click()]);
  assert.equal(marc.suggestedFilename(), "danh-muc.mrc");
  const bytes = readFileSync(await marc.path());
  assert.match(bytes.subarray(0, 24).toString("latin1"), /^\d{5}nam a22\d{5} a 4500$/, "an ISO 2709 leader");
  assert.ok(bytes.toString("utf8").includes("Lão Hạc"), "the librarian's MARC holds the private record");
  ctx.log(`a visitor's CSV: ${csv.trim().split("\n").length - 1} books; the librarian's search as MARC: ${bytes.length} bytes`);
}
