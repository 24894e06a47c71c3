// An anonymous visitor searches without diacritics and finds the decision
// on graduation, written with them.
import assert from "node:assert/strict";
import { SCHOOL } from "../lib/harness.mjs";

export default async function (ctx) {
  const { page } = ctx;
  await page.goto(ctx.baseUrl + "/");
  const titles = await ctx.search("tot nghiep");
  const results = page.locator("#results > li");
  ctx.log(`${titles.length} result(s): ${titles.join(" | ")}`);
  assert.ok(titles.some((t) => t.includes("công nhận tốt nghiệp")),
            `no result titled "…công nhận tốt nghiệp…" among: ${titles.join(" | ")}`);
  const marked = await results.locator("mark").allTextContents();
  assert.ok(marked.some((m) => m.toLowerCase() === "tốt"), `the snippets mark no "tốt": ${marked.join(", ")}`);
  await ctx.screenshot("results");
  // The school facet names the school, not its code.
  const facet = page.locator("aside a", { hasText: SCHOOL.name });
  await facet.first().waitFor();
  assert.equal(await page.locator("aside a", { hasText: new RegExp(`^${SCHOOL.code} \\(`) }).count(), 0);
}
