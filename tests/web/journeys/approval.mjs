// Lesson-plan approval: a teacher uploads her plan asking for it to be
// public, submits it; the head of its subject group finds it under
// "Chờ tôi duyệt", returns it with a comment; the teacher reads the comment,
// submits again; the group head approves it, and the plan becomes public:
// a visitor without an account finds it. Every step shows in the timeline.
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { SOURCE_DIR } from "../lib/harness.mjs";

export default async function (ctx) {
  const { page } = ctx;
  const teacher = ctx.accounts.teacher, head = ctx.accounts.groupHead;
  // Another person at the same computer: from the search page, sign out, sign in.
  const switchTo = async (who) => {
    await ctx.open("#/");
    await page.locator("#signout").click();
    await page.locator("#signin").waitFor();
    await ctx.signIn(who.name, who.password);
  };
  // The teacher's own plan: the sample with a lesson of her own (new bytes, a new record).
  const dir = mkdtempSync(path.join(os.tmpdir(), "kho-approval-"));
  const file = path.join(dir, "khbd-phan-so-cua-hang.html");
  writeFileSync(file, readFileSync(path.join(SOURCE_DIR, "samples/khbd-toan-6-phan-so.html"), "utf8")
    .replace("</body>", "<p>Luyện tập: cửa hàng trái cây chia phần.</p></body>"));

  // The school's admin names another group head in the browser: a role with its group.
  const admin = ctx.accounts.admin;
  await ctx.open("#/");
  await ctx.signIn(admin.name, admin.password);
  await ctx.open("#/admin");
  await page.getByLabel("Tên đăng nhập").fill("thu-van");
  await page.getByLabel("Mật khẩu (ít nhất 8 ký tự)").fill("mat-khau-to-van-1");
  await page.getByLabel("Vai trò").selectOption("group_head");
  await page.getByLabel("Tổ chuyên môn (cho tổ trưởng)").fill("Ngữ văn");
  await page.getByRole("button", { name: "Thêm tài khoản" }).click();
  await page.locator("#accounts tr", { hasText: "thu-van" }).waitFor();
  assert.match(await page.locator("#accounts tr", { hasText: "thu-van" }).textContent(), /Tổ trưởng chuyên môn \(Ngữ văn\)/);

  await switchTo(teacher);
  assert.equal(await page.getByRole("link", { name: "Chờ tôi duyệt" }).count(), 0, "a teacher offered a review list");
  await ctx.open("#/upload");
  await page.setInputFiles("#pick-files", [file]);
  await page.getByLabel("Loại tài liệu").selectOption("lesson-plan");
  await page.getByLabel("Phạm vi xem").selectOption("public");
  await page.getByRole("button", { name: "Tải lên" }).click();
  await page.waitForFunction(() => [...document.querySelectorAll("#queue .state")].every((s) => /Đã thêm|trùng|Không thêm/.test(s.textContent)), null, { timeout: 60000 });
  await page.locator("#queue li a").first().click();
  await page.locator("#approval-state", { hasText: "Bản nháp" }).waitFor();
  const id = new URL(page.url()).hash.match(/#\/r\/(\d+)/)[1];
  // Public only once approved: kept within the school until then.
  await page.locator("#approval", { hasText: "Công khai" }).waitFor();
  assert.equal((await ctx.api(`/api/v1/records/${id}`)).status, 404, "an unapproved plan is public");
  await page.locator("#approval-submit").click();
  await page.getByRole("button", { name: "Gửi duyệt" }).last().click();
  await page.locator("#approval-state", { hasText: "Chờ tổ trưởng duyệt" }).waitFor();
  assert.equal(await page.locator("#approval-approve").count(), 0, "the author may approve her own plan");
  await ctx.screenshot("teacher-submitted");

  // The group head: one click to what waits for her.
  await switchTo(head);
  await page.getByRole("link", { name: "Chờ tôi duyệt" }).click();
  await page.locator("#waiting li", { hasText: "Khoa học tự nhiên" }).first().waitFor();
  await ctx.checkAxe("the waiting list");
  await page.locator(`#waiting a[href="#/r/${id}"]`).click();
  await page.locator("#approval-return").click();
  await page.getByRole("button", { name: "Trả lại để sửa" }).last().click();
  await page.getByText("hãy ghi nhận xét").waitFor();  // a return says what to change
  await page.locator("#approval-comment").fill("Bổ sung mục tiêu về năng lực tự học");
  await page.getByRole("button", { name: "Trả lại để sửa" }).last().click();
  await page.locator("#approval-state", { hasText: "Trả lại để sửa" }).waitFor();

  // The teacher reads the comment, revises, submits again.
  await switchTo(teacher);
  await ctx.open(`#/r/${id}`);
  await page.locator("#approval-steps", { hasText: "Bổ sung mục tiêu về năng lực tự học" }).waitFor();
  await page.getByRole("button", { name: "Sửa thông tin" }).click();
  await page.locator("#edit-description").fill("Mục tiêu: năng lực tự học, năng lực tính toán");
  await page.getByRole("button", { name: "Lưu" }).click();
  await page.locator("#fields", { hasText: "năng lực tính toán" }).waitFor();  // the revised page
  await page.locator("#approval-submit").click();
  await page.locator("#approval-comment").fill("Đã bổ sung mục tiêu");
  await page.getByRole("button", { name: "Gửi duyệt" }).last().click();
  await page.locator("#approval-state", { hasText: "Chờ tổ trưởng duyệt" }).waitFor();

  // The group head approves; the plan is public at last.
  await switchTo(head);
  await page.getByRole("link", { name: "Chờ tôi duyệt" }).click();
  await page.locator(`#waiting a[href="#/r/${id}"]`).click();
  await page.locator("#approval-approve").click();
  await page.getByRole("button", { name: "Duyệt" }).last().click();
  await page.locator("#approval-state", { hasText: "Đã duyệt" }).waitFor();
  assert.equal(await page.locator("#approval-steps li").count(), 4, "every step is in the timeline");
  await ctx.checkAxe("a reviewed lesson plan");
  await ctx.screenshot("group-head-approved");
  await page.getByRole("link", { name: "Chờ tôi duyệt" }).click();
  await page.locator("#waiting-none").waitFor();
  assert.equal((await ctx.api(`/api/v1/records/${id}`)).json.visibility, "public");
  // A visitor without an account reads the approved plan and its state, not who reviewed it.
  const visitor = await page.context().browser().newContext({ locale: "vi-VN" });
  const v = await visitor.newPage();
  await v.goto(`${ctx.baseUrl}/#/r/${id}`, { waitUntil: "networkidle" });
  await v.locator("#approval-state", { hasText: "Đã duyệt" }).waitFor();
  assert.equal(await v.locator("#approval-steps").count(), 0, "a visitor reads the review's steps");
  assert.equal(await v.locator("#approval-approve, #approval-submit, #approval-return").count(), 0);
  await visitor.close();
  const facets = (await ctx.api("/api/v1/search?q=&facets=1&approval=approved")).json;
  assert.ok(facets.hits.some((h) => String(h.id) === id), "approval:approved does not find the plan");
}
