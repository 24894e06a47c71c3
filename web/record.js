// A record's page: its fields with where each came from, the file in the
// viewer at the best page with the query's words highlighted, the matching
// pages, OCR confidence, history, and the actions this caller may take.
// Also the page a share link's recipient sees.
import { t, has, valueName, fieldName, dateText } from "./i18n.js";
import { api, errorText, loadSchoolNames, query, recordUrl, schoolName } from "./api.js";
import { el, session, announce } from "./ui.js";
import { openViewer } from "./viewer.js";
import { sendFile } from "./upload.js";
import { approvalPanel } from "./approval.js";

const SHOWN = ["title", "creator", "subject", "description", "date", "year", "publisher", "call_number", "isbn", "grade",
  "teacher", "number", "issuer", "doctype", "signer", "language", "collection"];
const EDITABLE = ["title", "creator", "subject", "description", "date", "language", "publisher", "call_number", "grade", "number", "issuer"];

function valueOf(r, name) { return (r.dc && r.dc[name]) || (r.fields && r.fields[name]) || ""; }
// The current version: the last of the record's files.
const original = (r) => (r.originals && r.originals.length && r.originals[r.originals.length - 1]) || null;
const mediaType = (r) => r.media_type || (original(r) && original(r).media_type) || "";
function ocrPages(r) {
  const o = r.ocr_confidence;
  if (!o) return [];
  return Array.isArray(o) ? o : Object.entries(o).map(([page, confidence]) => ({ page: Number(page), confidence }));
}

function fieldsTable(r) {
  const rows = [];
  const add = (label, value, source) => rows.push(el("tr", {}, el("th", { scope: "row" }, label),
    el("td", {}, value, source ? " " : "", source ? el("span", { class: "source" }, has("source." + source) ? t("source." + source) : source) : "")));
  const seen = new Set();
  for (const name of SHOWN.concat(Object.keys(r.dc || {}), Object.keys(r.fields || {}))) {
    if (seen.has(name)) continue;
    seen.add(name);
    const v = valueOf(r, name);
    if (!v || name.startsWith("origin") || name === "format" || name === "type") continue;
    if (name === "approval" || name === "share_on_approval") continue;  // the approval box shows them
    add(fieldName(name), name === "language" ? valueName("language", v) : name === "grade" ? valueName("grade", v) : v, (r.sources || {})[name]);
  }
  add(t("field.kind"), valueName("kind", r.kind));
  if (r.school) add(t("field.school"), schoolName(r.school));
  add(t("field.visibility"), valueName("visibility", r.visibility));
  add(t("field.status"), valueName("status", r.status));
  const o = original(r);
  if (o) add(t("field.file"), o.filename + (r.page_count ? " · " + t("pages.n", { n: r.page_count }) : ""));
  if (r.created_at) add(t("field.created"), dateText(r.created_at) + (r.created_by ? " · " + r.created_by : ""));
  return el("div", { class: "table-wrap" }, el("table", { id: "fields" }, el("tbody", {}, ...rows)));
}

// Dates as Vietnamese write them (25/06/2023) become ISO; a date that does not exist is refused here, in words.
function isoDate(text) {
  const s = text.trim();
  let m = s.match(/^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$/);
  if (m) {
    const [d, mo, y] = [Number(m[1]), Number(m[2]), Number(m[3])];
    const date = new Date(Date.UTC(y, mo - 1, d));
    if (date.getUTCMonth() !== mo - 1 || date.getUTCDate() !== d) return null;
    return y + "-" + String(mo).padStart(2, "0") + "-" + String(d).padStart(2, "0");
  }
  if (/^\d{4}(-\d{2}(-\d{2})?)?$/.test(s)) return s;
  return null;
}

function editForm(r, box, done) {
  const inputs = {}, errors = {};
  const form = el("form", { class: "stack", id: "edit", novalidate: true });
  for (const name of EDITABLE) {
    const id = "edit-" + name;
    const input = name === "description" ? el("textarea", { id, rows: "3" }) : el("input", { id, inputmode: name === "grade" ? "numeric" : false });
    input.value = valueOf(r, name);
    errors[name] = el("span", { class: "field-error", id: id + "-error", "aria-live": "polite" });
    input.setAttribute("aria-describedby", id + "-error");
    inputs[name] = input;
    form.append(el("label", { for: id }, fieldName(name), name === "date" ? el("span", { class: "muted hint" }, t("edit.date_hint")) : "", input, errors[name]));
  }
  const kind = el("select", { id: "edit-kind" }, ...["book", "lesson-plan", "admin-doc", "diploma", "other"].map((k) => el("option", { value: k, selected: r.kind === k }, valueName("kind", k))));
  const visibility = el("select", { id: "edit-visibility" }, ...["private", "school", "shared", "public"].map((v) => el("option", { value: v, selected: r.visibility === v }, valueName("visibility", v))));
  const message = el("p", { role: "alert", class: "error" });
  form.append(el("label", { for: "edit-kind" }, t("field.kind"), kind), el("label", { for: "edit-visibility" }, t("field.visibility"), visibility),
    el("div", { class: "actions" }, el("button", { type: "submit" }, t("edit.save")), el("button", { type: "button", class: "secondary", onclick: done }, t("edit.cancel"))), message);
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    Object.values(errors).forEach((x) => { x.textContent = ""; });
    message.textContent = "";
    const changed = {};
    for (const [name, input] of Object.entries(inputs)) if (input.value.trim() !== valueOf(r, name)) changed[name] = input.value.trim();
    if (kind.value !== r.kind) changed.kind = kind.value;
    if (visibility.value !== r.visibility) changed.visibility = visibility.value;
    if (changed.date) {
      const iso = isoDate(changed.date);
      if (!iso) { errors.date.textContent = t("edit.bad_date"); inputs.date.focus(); return; }
      changed.date = iso;
    }
    if (changed.grade && !/^(1[0-2]|[1-9])$/.test(changed.grade)) { errors.grade.textContent = t("edit.bad_grade"); inputs.grade.focus(); return; }
    if (!Object.keys(changed).length) { message.textContent = t("edit.nothing"); return; }
    try {
      await api(recordUrl(r.id), { method: "PATCH", json: { fields: changed } });
      announce(t("edit.saved"));
      done(true);
    } catch (err) {
      const target = err.field && errors[err.field];
      (target || message).textContent = errorText(err);
      if (err.field && inputs[err.field]) inputs[err.field].focus();
    }
  });
  box.replaceChildren(el("h2", {}, t("edit.title")), form);
  inputs.title.focus();
}

function reasonForm(r, action, box, done) {
  const reason = el("input", { id: "reason", required: true });
  const message = el("p", { role: "alert", class: "error" });
  const form = el("form", { class: "stack", id: action },
    el("label", { for: "reason" }, t("reason." + action), reason),
    el("div", { class: "actions" }, el("button", { type: "submit", class: action === "withdraw" ? "danger" : "" }, t("record." + action)),
      el("button", { type: "button", class: "secondary", onclick: () => done(false) }, t("edit.cancel"))), message);
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    if (!reason.value.trim()) { message.textContent = t("reason.required"); return; }
    try {
      await api(recordUrl(r.id) + "/" + action, { method: "POST", json: { reason: reason.value.trim() } });
      done(true);
    } catch (err) { message.textContent = errorText(err); }
  });
  box.replaceChildren(form);
  reason.focus();
}

async function sharePanel(r, box) {
  const list = el("ul", { class: "plain", id: "shares" });
  const made = el("div", { role: "status" });
  const days = el("input", { id: "share-days", type: "number", min: "1", max: "3650", value: "7" });
  const form = el("form", { class: "bar", id: "share" }, el("label", { for: "share-days" }, t("share.days")), days, el("button", { type: "submit" }, t("share.make")));
  const message = el("p", { role: "alert", class: "error" });
  box.replaceChildren(el("h2", {}, t("share.title")), form, made, message, list);
  async function refresh() {
    list.replaceChildren();
    try {
      const body = await api(recordUrl(r.id) + "/shares");
      if (!body.shares.length) list.append(el("li", { class: "muted" }, t("share.none")));
      for (const s of body.shares) {
        const revoke = el("button", { type: "button", class: "secondary" }, t("share.revoke"));
        revoke.addEventListener("click", async () => {
          try { await api("/api/v1/shares/" + encodeURIComponent(s.id), { method: "DELETE" }); refresh(); } catch (err) { message.textContent = errorText(err); }
        });
        list.append(el("li", {}, el("span", { class: "muted" }, "#" + s.id + " · " + (s.expires_at ? t("share.expires", { date: dateText(s.expires_at) }) : t("share.never")) + " "), revoke));
      }
    } catch (err) { list.append(el("li", { class: "error" }, errorText(err))); }
  }
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    message.textContent = "";
    try {
      const link = await api(recordUrl(r.id) + "/shares?" + query({ days: days.value }), { method: "POST" });
      const url = location.origin + link.url;
      const copy = el("button", { type: "button", class: "secondary" }, t("share.copy"));
      copy.addEventListener("click", () => navigator.clipboard && navigator.clipboard.writeText(url).then(() => announce(t("share.copied"))));
      made.replaceChildren(el("p", {}, t("share.made")), el("p", { class: "share-url", id: "share-url" }, url), copy);
      refresh();
    } catch (err) { message.textContent = errorText(err); }
  });
  refresh();
}

async function historyPanel(r, box) {
  try {
    const body = await api(recordUrl(r.id) + "/history");
    const items = body.changes.slice().reverse().map((c) => el("li", {},
      el("div", { class: "meta" }, dateText(c.at) + " · " + (c.actor || "") + " · " + t("op." + c.op)), c.reason ? el("div", {}, c.reason) : "",
      ...(c.fields || []).map((f) => {
        const shown = (v) => (!v ? "∅" : f.field === "approval" ? valueName("approval", v) : v);  // a state by its name
        return el("div", { class: "muted" }, fieldName(f.field) + ": " + shown(f.old) + " → " + shown(f.new) +
          (f.source && has("source." + f.source) ? " (" + t("source." + f.source) + ")" : ""));
      })));
    box.replaceChildren(el("h2", {}, t("record.history")), items.length ? el("ul", { class: "plain", id: "history" }, ...items) : el("p", { class: "muted" }, t("record.no_history")));
  } catch (_) {
    box.replaceChildren();
  }
}

// Every version of the file, oldest first, each downloadable; staff who may
// edit the record send a new one (resumably, as uploads go).
async function versionsPanel(r, box, reload) {
  let body;
  try { body = await api(recordUrl(r.id) + "/versions"); } catch (_) { box.replaceChildren(); return; }
  const rows = body.versions.slice().reverse().map((v) => el("li", { class: v.current ? "current" : "" },
    el("a", { href: v.file_url, download: "" }, t("version.n", { n: v.version }) + " · " + v.filename),
    el("div", { class: "meta" }, dateText(v.added_at) + (v.added_by ? " · " + v.added_by : "") + (v.current ? " · " + t("version.current") : ""))));
  box.replaceChildren(el("h2", {}, t("version.title")), el("ul", { class: "plain", id: "versions" }, ...rows));
  if (!allowed(r, "edit")) return;
  const input = el("input", { id: "version-file", type: "file" });
  const bar = el("progress", { max: "1", value: "0", hidden: true });
  const message = el("p", { role: "alert", class: "error" });
  const form = el("form", { class: "stack", id: "new-version" },
    el("label", { for: "version-file" }, t("version.new"), input), el("button", { type: "submit" }, t("version.send")), bar, message);
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    message.textContent = "";
    const file = input.files[0];
    if (!file) { message.textContent = t("version.pick"); return; }
    bar.hidden = false;
    try {
      await sendFile(file, { version_of: r.id }, (done) => { bar.value = done; });
      announce(t("version.sent"));
      reload();
    } catch (err) { bar.hidden = true; message.textContent = errorText(err); }
  });
  box.append(form);
}

async function matchesPanel(r, q, box, viewer) {
  try {
    const body = await api(recordUrl(r.id) + "/search?" + query({ q }));
    const items = body.pages.map((p) => {
      const text = el("span");
      text.innerHTML = " " + p.snippet_html;  // escaped by the server: its only markup is <mark>
      const a = el("a", { href: "#/r/" + r.id + "?" + query({ q, p: p.page }) }, t("page", { n: p.page }));
      a.addEventListener("click", (e) => { e.preventDefault(); history.replaceState(null, "", a.getAttribute("href")); viewer.show(p.page); });
      return el("li", { class: "snippet" }, a, text);
    });
    box.replaceChildren(el("h2", {}, t("record.matches", { q })), items.length ? el("ul", { class: "pages", id: "matches" }, ...items) : el("p", { class: "muted" }, t("record.no_matches")));
    return body.pages.length ? body.pages[0].page : 0;
  } catch (err) {
    box.replaceChildren(el("p", { class: "error" }, t("search.pages_failed", { reason: errorText(err) })));
    return 0;
  }
}

function ocrPanel(r) {
  const pages = ocrPages(r);
  if (!pages.length) return "";
  return el("div", {}, el("h2", {}, t("record.ocr")), el("ul", { class: "plain", id: "ocr" },
    ...pages.map((p) => el("li", { class: "muted" }, t("page", { n: p.page }) + ": " + Math.round(p.confidence) + "%"))));
}

// Whom the server says may act; before it says so, a signed-in caller sees the actions and the server decides.
function allowed(r, action) {
  if (Array.isArray(r.actions)) return r.actions.includes(action);
  if (action === "download") return !!original(r);
  if (!session.account) return false;
  return action === "reinstate" ? r.status === "withdrawn" : action === "withdraw" ? r.status !== "withdrawn" : true;
}

function layoutRecord(main, r, { fileUrl, q, page, readOnly, reload }) {
  const title = valueOf(r, "title") || (original(r) && original(r).filename) || "#" + r.id;
  document.title = title + " — kho";
  const actions = el("div", { class: "actions", id: "actions" });
  const panel = el("div", { id: "panel" });
  const side = el("div", {}, panel, fieldsTable(r), ocrPanel(r));
  const matches = el("div"), historyBox = el("div"), versionsBox = el("div", { id: "versions-panel" });
  const viewerBox = el("div", { id: "viewer" });
  main.append(el("h1", {}, title));
  if (r.status === "withdrawn") main.append(el("p", { class: "error", role: "note" }, t("record.withdrawn", { reason: r.withdrawn_reason || "" })));
  main.append(actions, el("div", { class: "record" }, el("div", {}, viewerBox, matches), side));
  const hasFile = !!original(r);
  let viewer = { show() {} };
  if (original(r)) viewer = openViewer(viewerBox, { url: fileUrl, textUrl: readOnly ? "" : recordUrl(r.id) + "/text", mediaType: mediaType(r), page: page || 1, pageCount: r.page_count, q });
  else viewerBox.append(el("p", { class: "status" }, t("record.no_file")));
  if (hasFile && allowed(r, "download")) actions.append(el("a", { class: "button", href: fileUrl, download: "" }, t("record.download")));
  if (q && !readOnly) matchesPanel(r, q, matches, viewer).then((best) => { if (!page && best) viewer.show(best); });
  if (readOnly) return;
  const approvalBox = el("div", { id: "approval" });
  panel.after(approvalBox);
  approvalPanel(r, approvalBox, actions, panel, reload);  // lesson plans only
  side.append(versionsBox, historyBox);
  if (hasFile) versionsPanel(r, versionsBox, reload);
  if (allowed(r, "edit")) historyPanel(r, historyBox);
  const button = (action, handler, cls = "secondary") => allowed(r, action) && actions.append(el("button", { type: "button", class: cls, id: "action-" + action, onclick: handler }, t("record." + action)));
  button("edit", () => editForm(r, panel, (saved) => (saved ? reload() : panel.replaceChildren())));
  button("share", () => sharePanel(r, panel));
  if (r.status === "withdrawn") button("reinstate", () => reasonForm(r, "reinstate", panel, (ok) => (ok ? reload() : panel.replaceChildren())));
  else button("withdraw", () => reasonForm(r, "withdraw", panel, (ok) => (ok ? reload() : panel.replaceChildren())), "danger");
}

export async function recordView(main, id, params) {
  const q = params.get("q") || "", page = parseInt(params.get("p") || "0", 10) || 0;
  const status = el("p", { class: "status" }, t("record.loading"));
  main.append(status);
  try {
    const [r] = await Promise.all([api(recordUrl(id)), loadSchoolNames()]);
    status.remove();
    if (r.file_url === null) r.originals = [];  // this caller may not have the file
    layoutRecord(main, r, { fileUrl: r.file_url || recordUrl(id) + "/file", q, page, readOnly: false,
      reload: () => { main.replaceChildren(); recordView(main, id, params); } });
  } catch (err) {
    status.className = "status error";
    status.textContent = errorText(err);
    if (err.status === 404 && !session.account) main.append(el("p", {}, el("a", { href: "#/login?" + query({ next: location.hash }) }, t("signin"))));
  }
}

// A share link's recipient: the record, or the collection's records, with working downloads.
export async function sharedView(main, secret) {
  const status = el("p", { class: "status" }, t("record.loading"));
  main.append(status);
  try {
    const [body] = await Promise.all([api("/api/v1/shared/" + encodeURIComponent(secret)), loadSchoolNames()]);
    status.remove();
    if (body.kind === "record") {
      main.append(el("p", { class: "muted" }, t("share.heading")));
      layoutRecord(main, body.record, { fileUrl: body.record.file_url, q: "", page: 1, readOnly: true });
      return;
    }
    main.append(el("h1", {}, t("share.collection")));
    const list = el("ol", { class: "results" });
    for (const hit of body.results.hits) {
      list.append(el("li", {}, el("div", { class: "title" }, hit.title || hit.filename || "#" + hit.id),
        el("div", { class: "meta" }, valueName("kind", hit.kind)), hit.file_url ? el("a", { href: hit.file_url, download: "" }, t("record.download")) : ""));
    }
    main.append(list);
  } catch (err) {
    status.className = "status error";
    status.textContent = errorText(err);
  }
}
