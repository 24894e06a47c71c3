// The audit log as the server lets this caller see it (an admin: its schools),
// oldest first, a page at a time, filtered by the server by who, action,
// record and days (the log outgrows what a page could filter).
import { t, dateText } from "./i18n.js";
import { api, errorText, query } from "./api.js";
import { el, session } from "./ui.js";

const PAGE = 200;

export function auditView(main) {
  main.append(el("h1", {}, t("audit.title")));
  if (!session.account) { main.append(el("p", {}, t("denied.signin"))); return; }
  const filter = {
    actor: el("input", { id: "audit-actor" }), action: el("input", { id: "audit-action" }),
    record: el("input", { id: "audit-record", inputmode: "numeric" }),
    from: el("input", { id: "audit-from", type: "date" }), to: el("input", { id: "audit-to", type: "date" }),
  };
  const labels = { actor: t("audit.actor"), action: t("audit.action"), record: t("audit.record"), from: t("audit.day_from"), to: t("audit.day_to") };
  const form = el("form", { class: "bar", id: "audit-filter", role: "search" },
    ...Object.entries(filter).map(([k, input]) => el("label", { for: input.id }, labels[k] + " ", input)), el("button", { type: "submit" }, t("audit.filter")));
  const body = el("tbody");
  const table = el("div", { class: "table-wrap" }, el("table", { id: "audit" },
    el("thead", {}, el("tr", {}, ...["at", "actor", "from", "action", "record", "detail"].map((c) => el("th", { scope: "col" }, t("audit." + c))))), body));
  const status = el("p", { class: "status", role: "status" });
  const more = el("button", { type: "button", class: "secondary", hidden: true }, t("audit.more"));
  main.append(form, status, table, more);
  const entries = [];
  let next = 0;

  function show() {
    const rows = entries.map((e) => el("tr", {}, el("td", {}, dateText(e.at)), el("td", {}, e.actor), el("td", {}, e.from || ""),
      el("td", {}, e.action), el("td", {}, e.record ? el("a", { href: "#/r/" + e.record }, "#" + e.record) : ""), el("td", {}, e.detail || "")));
    body.replaceChildren(...rows);
    status.className = "status";
    status.textContent = rows.length ? "" : more.hidden ? t("audit.empty") : t("audit.none_yet");
  }
  async function load() {
    const asked = Object.fromEntries(Object.entries(filter).map(([k, input]) => [k, input.value.trim()]).filter(([, v]) => v));
    try {
      const page = await api("/api/v1/audit?" + query({ ...asked, after: next, limit: PAGE }));
      entries.push(...page.entries);
      next = page.next || 0;
      more.hidden = !page.next;
      show();
    } catch (err) {
      status.className = "status error";
      status.textContent = errorText(err);
    }
  }
  form.addEventListener("submit", (e) => {
    e.preventDefault();
    entries.length = 0;
    next = 0;
    load();
  });
  more.addEventListener("click", load);
  load();
}
