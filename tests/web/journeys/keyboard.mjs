// Keyboard only, as a clerk who cannot use a mouse: skip link, sign-in,
// search, a result opened, all with Tab, typing and Enter; every control
// that takes the focus shows it.
import assert from "node:assert/strict";

export default async function (ctx) {
  const { page } = ctx;
  const { name, password } = ctx.accounts.office;
  await ctx.open("#/");

  // What has the focus: its id, tag, text, and whether a focus ring shows.
  const focused = () => page.evaluate(() => {
    const e = document.activeElement;
    const style = getComputedStyle(e);
    const r = e.getBoundingClientRect();
    return {
      id: e.id, tag: e.tagName.toLowerCase(), text: (e.textContent || e.value || "").trim().slice(0, 60),
      cls: String(e.className || ""), ring: style.outlineStyle !== "none" && parseFloat(style.outlineWidth) > 0,
      onScreen: r.width > 0 && r.height > 0 && r.left >= 0 && r.top >= -1,
    };
  });
  // Presses Tab until `wanted` holds of the focused element; every stop on
  // the way must show where the focus is.
  async function tabTo(label, wanted, max = 40) {
    for (let i = 0; i < max; i++) {
      await page.keyboard.press("Tab");
      const f = await focused();
      if (f.tag !== "body") {
        assert.ok(f.ring, `${label}: ${f.tag}#${f.id}.${f.cls} ("${f.text}") has the focus but shows no focus ring`);
        assert.ok(f.onScreen, `${label}: ${f.tag}#${f.id} ("${f.text}") has the focus off screen`);
      }
      if (wanted(f)) return f;
    }
    throw new Error(`${label}: not reached in ${max} presses of Tab`);
  }

  // The first Tab reaches the skip link, shown on screen.
  await page.keyboard.press("Tab");
  const skip = await focused();
  assert.equal(skip.id, "skip", `the first Tab reached ${skip.tag}#${skip.id}, not the skip link`);
  assert.ok(skip.onScreen, "the skip link has the focus but stays hidden");

  // Sign in.
  await tabTo("sign-in link", (f) => f.id === "signin");
  await page.keyboard.press("Enter");
  await page.waitForFunction(() => document.activeElement?.tagName === "INPUT");
  await page.keyboard.type(name);
  await page.keyboard.press("Tab");
  await page.keyboard.type(password);
  await page.keyboard.press("Enter");
  await page.getByText(`Đã đăng nhập: ${name}`).waitFor({ timeout: 5000 });

  // Search: the box, a query typed, Enter.
  await ctx.open("#/");
  await tabTo("search box", (f) => f.id === "q");
  await page.keyboard.type("quyet dinh tot nghiep");
  await page.keyboard.press("Enter");
  await page.locator("#results > li .title").first().waitFor();
  const first = (await page.locator("#results > li .title").first().textContent()).trim();

  // The first result, opened with Enter: its page shows its title.
  await tabTo("first result", (f) => f.tag === "a" && f.cls.includes("title"), 80);
  await page.keyboard.press("Enter");
  await page.waitForFunction(() => location.hash.startsWith("#/r/"));
  await page.locator("h1", { hasText: first.slice(0, 20) }).waitFor();
  // And on the record page the download is reachable too.
  const download = await tabTo("download link", (f) => f.tag === "a" && /Tải về/.test(f.text), 80);
  ctx.log(`reached "${download.text}" by keyboard`);
}
