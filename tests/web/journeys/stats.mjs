// The office clerk prepares the yearly report: opens Thống kê from the
// navigation, sees a chart drawn by Chart.js and a table whose counts are
// the library's (every record read back with `kho show`, plus a private
// diploma only staff who handle diplomas may count), downloads the CSV, and
// prints the page on A4 without the controls.
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

const KINDS = { book: "Sách", diploma: "Văn bằng", "lesson-plan": "Kế hoạch bài dạy", "admin-doc": "Văn bản hành chính", other: "Khác" };

// Kind -> records, from each record as the CLI shows it.
function knownCounts(ctx) {
  const counts = {};
  for (let id = 1; ; id++) {
    let record;
    try { record = JSON.parse(ctx.kho("show", String(id), "--json")); } catch (_) { break; }
    counts[record.kind] = (counts[record.kind] || 0) + 1;
  }
  return counts;
}

export default async function (ctx) {
  const { page } = ctx;
  const dir = mkdtempSync(path.join(tmpdir(), "kho-stats-"));
  try {
    const file = path.join(dir, "bang-tot-nghiep-2024.txt");
    writeFileSync(file, "Bằng tốt nghiệp THCS năm 2024, học sinh Nguyễn Văn An.\n");
    ctx.kho("import", file, "--kind", "diploma", "--school", ctx.school.code);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const known = knownCounts(ctx);
  const total = Object.values(known).reduce((a, b) => a + b, 0);
  assert.equal(known.diploma, 1, `the private diploma is not in the library: ${JSON.stringify(known)}`);
  // A visitor's counts never include it.
  const visitor = await ctx.api("/api/v1/stats?by=kind");
  assert.equal(visitor.json.total, total - 1);
  assert.ok(!visitor.json.rows.some((r) => r.kind === "diploma"), "a visitor counts the diploma");

  const { name, password } = ctx.accounts.office;
  await ctx.open("#/");
  await ctx.signIn(name, password);
  await page.getByRole("navigation", { name: "Chính" }).getByRole("link", { name: "Thống kê" }).click();
  await page.locator("#stats-table tbody tr").first().waitFor();

  // The table: one row per kind at the one school, and the total.
  const rows = await page.locator("#stats-table tbody tr").evaluateAll((trs) =>
    trs.map((tr) => [...tr.cells].map((c) => c.textContent.trim())));
  const shown = Object.fromEntries(rows.map(([school, kind, n]) => {
    assert.equal(school, ctx.school.code);
    return [kind, Number(n)];
  }));
  const expected = Object.fromEntries(Object.entries(known).map(([k, n]) => [KINDS[k], n]));
  assert.deepEqual(shown, expected);
  assert.equal(await page.locator("#stats-table tfoot td").textContent(), String(total));
  assert.match(await page.locator("#stats-total").textContent(), new RegExp(`\\b${total}\\b`));

  // The charts: Chart.js has drawn on the canvas (some pixel is not transparent).
  await page.waitForFunction(() => window.Chart && window.Chart.getChart(document.querySelector("#stats-chart")));
  const drawn = await page.evaluate(() => {
    const c = document.querySelector("#stats-chart");
    const pixels = c.getContext("2d").getImageData(0, 0, c.width, c.height).data;
    let inked = 0;
    for (let i = 3; i < pixels.length; i += 4) if (pixels[i] > 0) inked++;
    const chart = window.Chart.getChart(c);
    return { width: c.width, height: c.height, inked, bars: chart.data.datasets.reduce((n, d) => n + d.data.reduce((a, b) => a + b, 0), 0) };
  });
  assert.ok(drawn.width > 100 && drawn.height > 100, `the chart is ${drawn.width}×${drawn.height}`);
  assert.ok(drawn.inked > 1000, `the chart canvas is nearly empty (${drawn.inked} pixels drawn)`);
  assert.equal(drawn.bars, total, "the chart's bars do not add up to the total");
  assert.ok(await page.locator("#stats-growth").isVisible());
  await ctx.checkAxe("the statistics page");
  await ctx.screenshot("page");

  // The CSV download holds the same numbers, under Vietnamese headers.
  const [download] = await Promise.all([page.waitForEvent("download"), page.getByRole("link", { name: "Tải CSV", exact: true }).click()]);
  const csv = readFileSync(await download.path(), "utf8").replace(/^\uFEFF/, "").trim().split("\r\n").map((l) => l.split(","));
  assert.deepEqual(csv[0], ["Trường", "Loại", "Số lượng"]);
  assert.deepEqual(Object.fromEntries(csv.slice(1, -1).map(([, kind, n]) => [kind, Number(n)])), expected);
  assert.deepEqual(csv.at(-1), ["Tổng cộng", "", String(total)]);

  // Chart.js follows its box's width on the next frames (a ResizeObserver).
  const chartsFit = () => page.waitForFunction(() =>
    [...document.querySelectorAll("#stats-result canvas")].every((c) => c.getBoundingClientRect().right <= window.innerWidth));
  await page.setViewportSize({ width: 360, height: 740 });
  await chartsFit();
  await ctx.checkNoHorizontalScroll("the statistics page at 360 px");

  // Printed: controls and navigation hidden, the chart and tables within A4's width.
  await page.emulateMedia({ media: "print" });
  await page.setViewportSize({ width: 794, height: 1123 });
  await chartsFit();
  assert.ok(!(await page.locator("#stats-form").isVisible()), "the controls are printed");
  assert.ok(!(await page.locator("header.top").isVisible()), "the navigation is printed");
  assert.ok(!(await page.getByRole("link", { name: "Tải XLSX (Excel)" }).isVisible()), "the download buttons are printed");
  await ctx.checkNoHorizontalScroll("the printed statistics");
  await ctx.screenshot("printed");
}
