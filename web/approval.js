// Lesson-plan approval (kế hoạch bài dạy): on a plan's page its state, the
// review's steps and the buttons this caller may use (the server's
// actions); and the list of plans waiting for a group head (#/waiting).
import { t, dateText } from "./i18n.js";
import { api, errorText, recordUrl, schoolName, loadSchoolNames } from "./api.js";
import { el, session, announce } from "./ui.js";

export const STEPS = ["submit", "approve", "return"];

// Whether the signed-in account reviews plans somewhere: a group head, a
// vice-principal or an admin (the server decides each plan).
export function reviews() {
  return Object.values(session.roles || {}).some((r) => r.startsWith("group_head:") || r === "vice_principal" || r === "admin");
}

function stepForm(r, action, box, done) {
  const comment = el("textarea", { id: "approval-comment", rows: "3" });
  const message = el("p", { role: "alert", class: "error" });
  const form = el("form", { class: "stack", id: "approval-form" },
    el("label", { for: "approval-comment" }, t(action === "return" ? "appr.comment.required" : "appr.comment"), comment),
    el("div", { class: "actions" }, el("button", { type: "submit", class: action === "return" ? "danger" : "" }, t("appr.do." + action)),
      el("button", { type: "button", class: "secondary", onclick: () => done(false) }, t("edit.cancel"))), message);
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    if (action === "return" && !comment.value.trim()) { message.textContent = t("err.comment_required"); comment.focus(); return; }
    try {
      await api(recordUrl(r.id) + "/approval", { method: "POST", json: { action, comment: comment.value.trim() } });
      announce(t("appr.done." + action));
      done(true);
    } catch (err) { message.textContent = errorText(err); }
  });
  box.replaceChildren(form);
  comment.focus();
}

function timeline(steps) {
  if (!steps.length) return el("p", { class: "muted" }, t("appr.no_steps"));
  return el("ol", { class: "plain", id: "approval-steps" }, ...steps.map((s) => el("li", {},
    el("div", { class: "meta" }, dateText(s.at) + " · " + s.by + " · " + t("appr.op." + s.action)),
    el("div", {}, t("appr.state." + s.from) + " → " + t("appr.state." + s.to)),
    s.comment ? el("blockquote", { class: "comment" }, s.comment) : "")));
}

// The approval box of a lesson plan's page; its buttons go beside the others.
export async function approvalPanel(r, box, actions, panel, reload) {
  if (r.kind !== "lesson-plan") return;
  let body;
  try { body = await api(recordUrl(r.id) + "/approval"); } catch (_) { return; }
  const state = el("p", { id: "approval-state", class: "state-" + body.state }, t("appr.state." + body.state));
  const parts = [el("h2", {}, t("appr.title")), state];
  if (body.share_on_approval) parts.push(el("p", { class: "muted" }, t("appr.wish", { vis: t("vis." + body.share_on_approval) })));
  // The steps name reviewers: the server gives them only to the plan's staff.
  if (body.steps.length || body.actions.includes("submit")) parts.push(timeline(body.steps));
  box.replaceChildren(...parts);
  for (const action of STEPS) {
    if (!body.actions.includes(action)) continue;
    actions.append(el("button", { type: "button", class: action === "return" ? "secondary" : "", id: "approval-" + action,
      onclick: () => stepForm(r, action, panel, (ok) => (ok ? reload() : panel.replaceChildren())) }, t("appr.do." + action)));
  }
}

// #/waiting: the plans waiting for this account's review, oldest first.
export async function waitingView(main) {
  main.append(el("h1", {}, t("appr.waiting")));
  const status = el("p", { class: "status" }, t("record.loading"));
  main.append(status);
  try {
    const [body] = await Promise.all([api("/api/v1/approvals?waiting=me"), loadSchoolNames()]);
    status.remove();
    if (!body.records.length) { main.append(el("p", { class: "muted", id: "waiting-none" }, t("appr.waiting.none"))); return; }
    main.append(el("p", { role: "status" }, t("appr.waiting.count", { n: body.total })),
      el("ul", { class: "results", id: "waiting" }, ...body.records.map((p) => el("li", {},
        el("a", { class: "title", href: "#/r/" + p.id }, p.title || "#" + p.id),
        el("div", { class: "meta" }, [t("appr.state." + p.state), p.group, p.teacher || p.author, schoolName(p.school), dateText(p.since)].filter(Boolean).join(" · "))))));
  } catch (err) {
    status.replaceWith(el("p", { class: "error", role: "alert" }, errorText(err)));
  }
}
