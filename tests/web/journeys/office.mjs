// The office clerk: finds an administrative document by its number as
// typed, opens it, and downloads it.
import assert from "node:assert/strict";

export default async function (ctx) {
  const { page } = ctx;
  const { name, password } = ctx.accounts.office;
  await ctx.open("#/");
  await ctx.signIn(name, password);
  const titles = await ctx.search("44/KH-PGDĐT");
  assert.ok(titles.length > 0, "the document number found nothing");
  const first = page.locator("#results > li").first();
  assert.match(await first.locator(".meta").textContent(), /44\/KH-PGDĐT/, "the hit does not show its number");
  await first.locator(".title").click();
  const download = page.getByRole("link", { name: "Tải về" });
  await download.waitFor();
  const [file] = await Promise.all([page.waitForEvent("download"), download.click()]);
  assert.match(file.suggestedFilename(), /ke-hoach-44/);
}
