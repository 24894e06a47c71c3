// Administration: accounts and roles and schools (for admins, within their
// schools), and every signed-in user's own API tokens for scripts.
import { t, dateText } from "./i18n.js";
import { api, errorText, query } from "./api.js";
import { el, session, announce } from "./ui.js";

const ROLES = ["teacher", "librarian", "office", "reader", "admin", "group_head", "vice_principal"];
// A group head's role names the subject group: "group_head:Toán - Tin".
const roleText = (r) => (r.startsWith("group_head:") ? t("role.group_head") + " (" + r.slice(11) + ")" : t("role." + r));

function section(title, ...children) { return el("section", {}, el("h2", {}, title), ...children); }

async function schoolOptions() {
  try { return (await api("/api/v1/schools")).schools; } catch (_) { return []; }
}

async function accountsSection(box, schools) {
  const list = el("tbody");
  const message = el("p", { role: "alert", class: "error" });
  const name = el("input", { id: "acc-name", autocomplete: "off", required: true });
  const password = el("input", { id: "acc-password", type: "password", autocomplete: "new-password", required: true });
  const school = el("select", { id: "acc-school" }, ...schools.map((s) => el("option", { value: s.code, selected: s.code === session.home }, s.name + " (" + s.code + ")")));
  const role = el("select", { id: "acc-role" }, ...ROLES.map((r) => el("option", { value: r }, t("role." + r))));
  const group = el("input", { id: "acc-group", autocomplete: "off", placeholder: "Toán - Tin" });
  const groupLabel = el("label", { for: "acc-group", hidden: true }, t("admin.group"), group);
  role.addEventListener("change", () => { groupLabel.hidden = role.value !== "group_head"; group.required = role.value === "group_head"; });
  const form = el("form", { class: "stack", id: "add-account" }, el("label", { for: "acc-name" }, t("login.name"), name),
    el("label", { for: "acc-password" }, t("admin.password"), password), el("label", { for: "acc-school" }, t("field.school"), school),
    el("label", { for: "acc-role" }, t("admin.role"), role), groupLabel, el("div", {}, el("button", { type: "submit" }, t("admin.add_account"))), message);
  async function refresh() {
    try {
      const body = await api("/api/v1/accounts");
      list.replaceChildren(...body.accounts.map((a) => {
        const toggle = el("button", { type: "button", class: "secondary" }, a.disabled ? t("admin.enable") : t("admin.disable"));
        toggle.addEventListener("click", async () => {
          try { await api("/api/v1/accounts/" + encodeURIComponent(a.name), { method: "PATCH", json: { disabled: !a.disabled } }); refresh(); } catch (err) { message.textContent = errorText(err); }
        });
        const roles = Object.entries(a.roles).map(([org, r]) => org + ": " + roleText(r)).join(", ");
        // Disabling oneself would lock the admin out; the server refuses it too.
        const action = a.name === session.account ? t("admin.you") : toggle;
        return el("tr", {}, el("td", {}, a.name), el("td", {}, roles), el("td", {}, a.disabled ? t("admin.disabled") : t("status.active")), el("td", {}, action));
      }));
    } catch (err) { message.textContent = errorText(err); }
  }
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    message.textContent = "";
    try {
      await api("/api/v1/accounts", { method: "POST", json: { name: name.value.trim(), password: password.value, roles: { [school.value]: role.value === "group_head" ? "group_head:" + group.value.trim() : role.value } } });
      announce(t("admin.account_added", { name: name.value.trim() }));
      name.value = password.value = "";
      refresh();
    } catch (err) { message.textContent = errorText(err); }
  });
  box.append(section(t("admin.accounts"), el("div", { class: "table-wrap" }, el("table", { id: "accounts" },
    el("thead", {}, el("tr", {}, ...["login.name", "admin.roles", "field.status", "admin.action"].map((k) => el("th", { scope: "col" }, t(k))))), list)), form));
  refresh();
}

function schoolsSection(box, schools) {
  const rows = schools.map((s) => el("tr", {}, el("td", {}, s.code), el("td", {}, s.name), el("td", {}, s.parent || "")));
  const code = el("input", { id: "school-code", required: true }), name = el("input", { id: "school-name", required: true });
  const parent = el("select", { id: "school-parent" }, ...schools.map((s) => el("option", { value: s.code }, s.name + " (" + s.code + ")")));
  const message = el("p", { role: "alert", class: "error" });
  const form = el("form", { class: "stack", id: "add-school" }, el("label", { for: "school-code" }, t("admin.code"), code),
    el("label", { for: "school-name" }, t("admin.school_name"), name), el("label", { for: "school-parent" }, t("admin.parent"), parent),
    el("div", {}, el("button", { type: "submit" }, t("admin.add_school"))), message);
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    try {
      await api("/api/v1/schools", { method: "POST", json: { code: code.value.trim(), name: name.value.trim(), parent: parent.value } });
      announce(t("admin.school_added"));
      box.replaceChildren();
      adminView(box.parentElement || box);
    } catch (err) { message.textContent = errorText(err); }
  });
  box.append(section(t("admin.schools"), el("div", { class: "table-wrap" }, el("table", { id: "schools" },
    el("thead", {}, el("tr", {}, ...["admin.code", "admin.school_name", "admin.parent"].map((k) => el("th", { scope: "col" }, t(k))))), el("tbody", {}, ...rows))), form));
}

function tokensSection(box) {
  const list = el("ul", { class: "plain", id: "tokens" });
  const label = el("input", { id: "token-label" });
  const made = el("div", { role: "status" });
  const message = el("p", { role: "alert", class: "error" });
  const form = el("form", { class: "bar", id: "add-token" }, el("label", { for: "token-label" }, t("admin.token_label") + " ", label), el("button", { type: "submit" }, t("admin.add_token")));
  async function refresh() {
    try {
      const body = await api("/api/v1/tokens");
      list.replaceChildren(...body.tokens.map((tk) => {
        const revoke = el("button", { type: "button", class: "secondary" }, t("share.revoke"));
        revoke.addEventListener("click", async () => { try { await api("/api/v1/tokens/" + tk.id, { method: "DELETE" }); refresh(); } catch (err) { message.textContent = errorText(err); } });
        return el("li", {}, (tk.label || "#" + tk.id) + " · " + (tk.expires_at ? t("share.expires", { date: dateText(tk.expires_at) }) : t("share.never")) + " ", revoke);
      }));
      if (!body.tokens.length) list.append(el("li", { class: "muted" }, t("admin.no_tokens")));
    } catch (err) { message.textContent = errorText(err); }
  }
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    try {
      const tk = await api("/api/v1/tokens?" + query({ label: label.value.trim() }), { method: "POST" });
      made.replaceChildren(el("p", {}, t("admin.token_made")), el("p", { class: "share-url", id: "token-secret" }, tk.secret));
      refresh();
    } catch (err) { message.textContent = errorText(err); }
  });
  box.append(section(t("admin.tokens"), el("p", { class: "muted" }, t("admin.tokens_hint")), form, made, message, list));
  refresh();
}

// Share links: a whole collection (admins), and every link of the admin's
// schools, each revocable. A link's address is shown once, when it is made.
function sharesSection(box) {
  const collection = el("select", { id: "share-collection", required: true });
  const days = el("input", { id: "collection-days", type: "number", min: "1", max: "3650", value: "30" });
  const form = el("form", { class: "bar", id: "share-collection-form" },
    el("label", { for: "share-collection" }, t("admin.collection") + " ", collection),
    el("label", { for: "collection-days" }, t("share.days") + " ", days), el("button", { type: "submit" }, t("share.make")));
  const made = el("div", { role: "status" });
  const message = el("p", { role: "alert", class: "error" });
  const list = el("ul", { class: "plain", id: "share-links" });
  async function refresh() {
    try {
      const [browse, body] = await Promise.all([api("/api/v1/search?" + query({ facets: 1, per_page: 1 })), api("/api/v1/shares")]);
      const names = ((browse.facets || {}).collection || []).map((v) => v.value).filter((v) => v && v !== "unspecified");
      collection.replaceChildren(...names.map((n) => el("option", { value: n }, n)));
      form.hidden = !names.length;
      list.replaceChildren(...body.shares.map((s) => {
        const revoke = el("button", { type: "button", class: "secondary" }, t("share.revoke"));
        revoke.addEventListener("click", async () => {
          try { await api("/api/v1/shares/" + encodeURIComponent(s.id), { method: "DELETE" }); refresh(); } catch (err) { message.textContent = errorText(err); }
        });
        const what = s.collection ? t("admin.share_collection", { name: s.collection }) : el("a", { href: "#/r/" + s.record }, t("admin.share_record", { id: s.record }));
        const when = s.expired ? t("admin.share_expired") : s.expires_at ? t("share.expires", { date: dateText(s.expires_at) }) : t("share.never");
        return el("li", {}, what, " · " + s.account + " · " + when + " ", revoke);
      }));
      if (!list.children.length) list.append(el("li", { class: "muted" }, t("share.none")));
    } catch (err) { message.textContent = errorText(err); }
  }
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    message.textContent = "";
    try {
      const link = await api("/api/v1/shares?" + query({ collection: collection.value, days: days.value }), { method: "POST" });
      const url = location.origin + link.url;
      made.replaceChildren(el("p", {}, t("share.made")), el("p", { class: "share-url", id: "collection-url" }, url));
      refresh();
    } catch (err) { message.textContent = errorText(err); }
  });
  box.append(section(t("admin.shares"), el("p", { class: "muted" }, t("admin.shares_hint")), form, made, message, list));
  refresh();
}

// Watch folders (kho serve --watch): what became of the files a scanner or
// a shared folder dropped, read-only; the server says which the admin may see.
async function watchSection(box) {
  const body = el("div", { id: "watch-folders" });
  box.append(section(t("watch.title"), el("p", { class: "muted" }, t("watch.hint")), body));
  let answer;
  try { answer = await api("/api/v1/watch"); } catch (err) { body.append(el("p", { role: "alert", class: "error" }, errorText(err))); return; }
  if (!answer.folders.length) { body.append(el("p", { class: "muted" }, t("watch.none"))); return; }
  for (const f of answer.folders) {
    const rows = f.recent.map((r) => el("tr", { class: "watch-" + r.event }, el("td", {}, dateText(r.at)), el("td", {}, r.path),
      el("td", {}, t("watch.event." + r.event)),
      el("td", {}, ...(r.error ? [r.error] : r.ids.map((id) => el("a", { href: "#/r/" + id }, t("watch.record", { id }) + " "))))));
    const head = el("tr", {}, ...["watch.when", "watch.file", "watch.result", "watch.details"].map((k) => el("th", { scope: "col" }, t(k))));
    body.append(el("h3", {}, f.dir + (f.school ? " → " + f.school : "") + (f.running ? "" : " (" + t("watch.stopped") + ")")),
      el("p", { class: "watch-counts" }, t("watch.counts", f)),
      rows.length ? el("div", { class: "table-wrap" }, el("table", { class: "grid" }, el("thead", {}, head), el("tbody", {}, ...rows))) : el("p", { class: "muted" }, t("watch.no_recent")));
  }
}

export async function adminView(main) {
  main.append(el("h1", {}, t("nav.admin")));
  if (!session.account) { main.append(el("p", {}, t("denied.signin"))); return; }
  if (session.admin) {
    const schools = await schoolOptions();
    await accountsSection(main, schools);
    schoolsSection(main, schools);
    sharesSection(main);
    watchSection(main);
  }
  tokensSection(main);
}
