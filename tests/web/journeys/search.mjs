// An anonymous visitor searches without diacritics and finds the decision
// on graduation, written with them.
import assert from "node:assert/strict";

export default async function (ctx) {
  const { page } = ctx;
  await page.goto(ctx.baseUrl + "/");
  await page.getByRole("searchbox").fill("tot nghiep");
  await page.getByRole("button", { name: "Tìm kiếm" }).click();
  const results = page.locator("#results > li");
  await results.first().waitFor();
  const titles = await results.locator(".title").allTextContents();
  ctx.log(`${titles.length} result(s): ${titles.join(" | ")}`);
  assert.ok(titles.some((t) => t.includes("công nhận tốt nghiệp")),
            `no result titled "…công nhận tốt nghiệp…" among: ${titles.join(" | ")}`);
  const marked = await results.locator("mark").allTextContents();
  assert.ok(marked.some((m) => m.toLowerCase() === "tốt"), `the snippets mark no "tốt": ${marked.join(", ")}`);
}
