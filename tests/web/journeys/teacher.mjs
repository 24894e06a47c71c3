// The teacher: finds a plan typed without diacritics, reads a matching page
// in the viewer with the words highlighted on the page, shares a lesson plan;
// a visitor with no account opens the link and downloads the file; the
// teacher then uploads a revised plan, and both versions are listed.
import assert from "node:assert/strict";

export default async function (ctx) {
  const { page } = ctx;
  const { name, password } = ctx.accounts.teacher;
  await ctx.open("#/");
  await ctx.signIn(name, password);
  const titles = await ctx.search("ke hoach ung dung CNTT");
  assert.ok(titles.some((t) => /Kế hoạch/.test(t)), `no plan among ${JSON.stringify(titles)}`);
  await page.locator("#results > li .title", { hasText: "Kế hoạch" }).first().click();
  await page.locator("#matches a").first().waitFor();
  // A matching page from the list (not the first): the viewer turns to it and marks the words.
  const link = page.locator("#matches a").nth(1);
  const wanted = (await link.textContent()).replace(/\D/g, "");
  await link.click();
  await page.waitForFunction((n) => document.getElementById("viewer").dataset.page === n &&
    Number(document.getElementById("viewer").dataset.highlights || 0) > 0, wanted, { timeout: 15000 });
  assert.ok(await page.locator(".textLayer .hl").count() > 0, "no word highlighted on the page");
  await ctx.screenshot("viewer");

  // A teacher shares lesson plans (an administrative plan is the office's to share).
  assert.equal(await page.getByRole("button", { name: "Chia sẻ" }).count(), 0, "a teacher may share an office's plan");
  await ctx.open("#/");
  const plans = await ctx.search("phan so lop 6");
  assert.ok(plans.length > 0, "the lesson plan was not found without diacritics");
  await page.locator("#results > li", { hasText: "Kế hoạch bài dạy" }).first().locator(".title").click();
  await page.getByRole("button", { name: "Chia sẻ" }).click();
  await page.getByRole("button", { name: "Tạo đường dẫn" }).click();
  const url = (await page.locator("#share-url").textContent()).trim();
  assert.match(url, /\/s\/[0-9a-f]+$/);
  await page.locator("#shares li button").first().waitFor();  // listed, with its expiry

  // The visitor: a browser with no session.
  const visitor = await page.context().browser().newContext();
  const v = await visitor.newPage();
  await v.goto(url, { waitUntil: "networkidle" });
  await v.getByText("Tài liệu được chia sẻ với bạn").waitFor();
  const href = await v.getByRole("link", { name: "Tải về" }).getAttribute("href");
  const file = await v.request.get(new URL(href, url).toString());
  assert.equal(file.status(), 200, `the shared file answered ${file.status()}`);
  assert.ok((await file.body()).length > 0, "the shared file is empty");
  await visitor.close();

  // A revised plan: the new version is the file now, the first stays listed and downloadable.
  await page.locator("#version-file").setInputFiles({ name: "ke-hoach-bai-day-sua.txt", mimeType: "text/plain",
    buffer: Buffer.from("Kế hoạch bài dạy (bản sửa lần hai): phân số lớp 6, thêm phần luyện tập.\n") });
  await page.locator("#new-version button[type=submit]").click();
  await page.locator("#versions li", { hasText: "Phiên bản 2" }).waitFor();
  assert.equal(await page.locator("#versions li").count(), 2, "both versions are listed");
  assert.match(await page.locator("#versions li").first().textContent(), /đang dùng/, "the new version is the current one");
  await page.locator("#history li", { hasText: "Phiên bản mới" }).waitFor();
  const first = await page.locator("#versions li").nth(1).locator("a").getAttribute("href");
  const old = await page.request.get(new URL(first, page.url()).toString());
  assert.equal(old.status(), 200, `the first version answered ${old.status()}`);
  await ctx.screenshot("versions");
}
