// The graduation register (sổ gốc) for office staff: lookups with their
// purpose (asked once, kept for the browser session and sent with every
// lookup, for the audit log), registers and their import from a sheet, an
// entry with its history and the scanned paper register beside it,
// corrections and revocations by decision, copies and the register of copies.
import { t, has, dateText } from "./i18n.js";
import { api, answer, errorText, query, recordUrl } from "./api.js";
import { el, go, session, announce } from "./ui.js";
import { openViewer } from "./viewer.js";

const R = "/api/v1/register";
const PURPOSE_KEY = "kho.register.purpose";
// An entry's fields in the order of the paper register.
const FIELDS = ["full_name", "birth_date", "birth_place", "sex", "ethnicity", "school", "class", "year", "classification",
  "decision_number", "decision_date", "serial", "entry_number", "issued", "signer", "notes", "scan_page", "scan_line"];
const DATES = new Set(["birth_date", "decision_date", "issued"]);
const LOOKUP = ["name", "birth_date", "year", "school", "serial", "entry_number"];

// Whether this account's roles handle diplomas somewhere (the server decides each request).
export function handlesRegister() {
  return session.admin || Object.values(session.roles || {}).some((r) => r === "office" || r === "admin");
}

// "2008-05-12" as Vietnamese write it: 12/05/2008. Anything else as it is.
export function vnDate(iso) {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(iso || "");
  return m ? m[3] + "/" + m[2] + "/" + m[1] : iso || "";
}

export function regFieldName(name) {
  const key = "reg.f." + name;
  return has(key) ? t(key) : name;
}

// An API error in words, naming the register's fields as the page does.
export function regErrorText(err) {
  if (err && err.field) {
    const key = "err." + err.code;
    if (has(key)) return t(key, { field: regFieldName(err.field) });
  }
  return errorText(err);
}

// Why a row of a sheet was refused, in the reader's language, from the server's code.
function whyText(r) {
  const known = { not_a_date: "reg.why.date", not_a_year: "reg.why.year", not_a_number: "reg.why.number",
    not_a_sex: "reg.why.sex", missing: "reg.why.missing", unknown_field: "reg.why.unknown_field", duplicate: "reg.why.duplicate" };
  return t(known[r.code] || "reg.why.other", { value: r.value || "", n: r.other_entry || "" });
}

const purpose = () => sessionStorage.getItem(PURPOSE_KEY) || "";

function needSignIn(main, title) {
  main.append(el("h1", {}, title), el("p", {}, t("denied.signin") + " ",
    el("a", { href: "#/login?" + query({ next: location.hash }) }, t("signin"))));
}

// Asks the purpose once for this browser session; `then` renders the page.
function purposeForm(main, then) {
  const input = el("input", { id: "reg-purpose", required: true, autocomplete: "off" });
  const message = el("p", { role: "alert", class: "error" });
  const form = el("form", { class: "stack", id: "purpose" },
    el("p", { class: "muted" }, t("reg.purpose.hint")),
    el("label", { for: "reg-purpose" }, t("reg.purpose.label"), input),
    el("div", {}, el("button", { type: "submit" }, t("reg.purpose.save"))), message);
  form.addEventListener("submit", (e) => {
    e.preventDefault();
    if (!input.value.trim()) { message.textContent = t("reg.purpose.required"); input.focus(); return; }
    sessionStorage.setItem(PURPOSE_KEY, input.value.trim());
    main.replaceChildren();
    then();
  });
  main.append(el("h2", {}, t("reg.purpose.title")), form);
  input.focus();
}

function purposeLine(main, again) {
  const change = el("button", { type: "button", class: "link", id: "reg-purpose-change" }, t("reg.purpose.change"));
  change.addEventListener("click", () => { sessionStorage.removeItem(PURPOSE_KEY); main.replaceChildren(); again(); });
  return el("p", { class: "muted", id: "reg-purpose-current" }, t("reg.purpose.current", { purpose: purpose() }) + " · ", change);
}

function subnav(current) {
  const links = [["#/register", "reg.lookup"], ["#/register/copies", "reg.copies"]];
  return el("nav", { class: "chips", "aria-label": t("reg.title") }, ...links.map(([href, key]) =>
    el("a", { href, "aria-current": current === href ? "page" : false }, t(key))));
}

function input(id, attrs = {}) { return el("input", Object.assign({ id, autocomplete: "off" }, attrs)); }
function labelled(id, label, control, hint) {
  return el("label", { for: id }, label, hint ? el("span", { class: "muted hint" }, hint) : "", control);
}

const statusBadge = (status) => el("span", { class: "badge badge-" + status }, t("reg.status." + status));

// --- #/register: lookup, registers, import --------------------------------------------

async function loadRegisters() {
  try { return (await api(R + "/registers")).registers; } catch (_) { return []; }
}

function lookupSection(params, registers) {
  const inputs = {};
  for (const name of LOOKUP) {
    inputs[name] = input("reg-q-" + name, { name, value: params.get(name) || "", inputmode: name === "year" ? "numeric" : false });
  }
  const register = el("select", { id: "reg-q-register" }, el("option", { value: "" }, t("reg.any_register")),
    ...registers.map((r) => el("option", { value: String(r.id), selected: params.get("register") === String(r.id) }, r.title)));
  const message = el("p", { role: "alert", class: "error" });
  const form = el("form", { class: "grid-form", id: "reg-lookup", role: "search" },
    ...LOOKUP.map((name) => labelled(inputs[name].id, regFieldName(name === "name" ? "full_name" : name), inputs[name],
      DATES.has(name) ? t("reg.date_hint") : "")),
    labelled("reg-q-register", t("reg.field.register"), register),
    el("div", { class: "actions" }, el("button", { type: "submit" }, t("reg.lookup.button"))));
  form.addEventListener("submit", (e) => {
    e.preventDefault();
    const q = {};
    for (const name of LOOKUP) q[name] = inputs[name].value.trim();
    q.register = register.value;
    if (!q.name && !q.serial && !q.entry_number && !q.register) { message.textContent = t("reg.lookup.need"); inputs.name.focus(); return; }
    go("#/register?" + query(q));
  });
  return el("section", {}, el("h2", {}, t("reg.lookup")), el("p", { class: "muted" }, t("reg.lookup.hint")), form, message);
}

async function resultsSection(params, box) {
  const q = {};
  for (const name of LOOKUP.concat(["register"])) q[name] = params.get(name) || "";
  if (!Object.values(q).some(Boolean)) return;
  const status = el("p", { class: "status", role: "status", id: "reg-status" }, t("search.running"));
  box.replaceChildren(el("h2", {}, t("reg.results")), status);
  try {
    const body = await api(R + "/entries?" + query(Object.assign(q, { purpose: purpose() })));
    status.textContent = body.entries.length ? t("reg.results.count", { n: body.entries.length }) : t("reg.results.none");
    if (!body.entries.length) return;
    const cols = ["full_name", "birth_date", "school", "year", "serial", "entry_number"];
    const rows = body.entries.map((e) => el("tr", {},
      ...cols.map((c, i) => el("td", {}, i === 0 ? el("a", { href: "#/register/entry/" + e.id }, e.fields.full_name || "#" + e.id)
        : DATES.has(c) ? vnDate(e.fields[c]) : e.fields[c] || "")),
      el("td", {}, statusBadge(e.status))));
    box.append(el("div", { class: "table-wrap" }, el("table", { id: "reg-results", class: "grid" },
      el("thead", {}, el("tr", {}, ...cols.map((c) => el("th", { scope: "col" }, regFieldName(c))), el("th", { scope: "col" }, t("reg.status")))),
      el("tbody", {}, ...rows))));
    if (body.more) box.append(el("p", { class: "muted" }, t("reg.results.more")));
  } catch (err) {
    status.className = "status error";
    status.textContent = regErrorText(err);
  }
}

function registersSection(registers, refresh) {
  const rows = registers.map((r) => el("tr", {},
    el("td", {}, r.title), el("td", {}, r.org), el("td", {}, r.level), el("td", {}, String(r.year)),
    el("td", {}, r.scan ? el("a", { href: "#/r/" + r.scan }, "#" + r.scan) : ""),
    el("td", {}, el("a", { href: "#/register?" + query({ register: r.id }) }, t("reg.register.entries")),
      ...(r.scan ? [" · ", el("a", { href: "#/register/type?" + query({ register: r.id, page: 1 }) }, t("reg.type.link"))] : []))));
  const table = registers.length ? el("div", { class: "table-wrap" }, el("table", { id: "reg-registers", class: "grid" },
    el("thead", {}, el("tr", {}, ...[t("reg.col.title"), t("reg.org"), t("reg.level"), t("reg.year"), t("reg.scan.short"), t("reg.col.actions")]
      .map((h) => el("th", { scope: "col" }, h)))), el("tbody", {}, ...rows)))
    : el("p", { class: "muted" }, t("reg.registers.none"));
  // Where this account may keep registers: its office and admin roles.
  const orgs = Object.entries(session.roles || {}).filter(([, r]) => r === "office" || r === "admin").map(([o]) => o);
  if (session.home && !orgs.includes(session.home)) orgs.push(session.home);
  const org = el("select", { id: "reg-new-org" }, ...orgs.map((o) => el("option", { value: o, selected: o === session.home }, o)));
  const level = el("select", { id: "reg-new-level" }, ...["THCS", "THPT", "GDTX"].map((l) => el("option", { value: l }, l)));
  const year = input("reg-new-year", { inputmode: "numeric", required: true, value: String(new Date().getFullYear()) });
  const title = input("reg-new-title");
  const scan = input("reg-new-scan", { inputmode: "numeric" });
  const message = el("p", { role: "alert", class: "error" });
  const form = el("form", { class: "stack", id: "reg-create" },
    labelled("reg-new-org", t("reg.org"), org), labelled("reg-new-level", t("reg.level"), level),
    labelled("reg-new-year", t("reg.year"), year), labelled("reg-new-title", t("reg.reg_title"), title),
    labelled("reg-new-scan", t("reg.scan"), scan), el("div", {}, el("button", { type: "submit" }, t("reg.create.button"))), message);
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    message.textContent = "";
    const body = { org: org.value, level: level.value, year: parseInt(year.value, 10) || 0 };
    if (title.value.trim()) body.title = title.value.trim();
    if (scan.value.trim()) body.scan = parseInt(scan.value, 10) || 0;
    try {
      const made = await api(R + "/registers", { method: "POST", json: body });
      announce(t("reg.created", { title: made.title }));
      refresh();
    } catch (err) { message.textContent = regErrorText(err); }
  });
  return el("section", {}, el("h2", {}, t("reg.registers")), table,
    el("details", { id: "reg-create-box" }, el("summary", {}, t("reg.create")), form));
}

function importSection(registers) {
  const register = el("select", { id: "reg-import-register" }, ...registers.map((r) => el("option", { value: String(r.id) }, r.title)));
  const file = el("input", { id: "reg-import-file", type: "file", accept: ".xlsx,.csv,text/csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" });
  const report = el("div", { id: "reg-import-report", role: "status" });
  const message = el("p", { role: "alert", class: "error" });
  const form = el("form", { class: "stack", id: "reg-import" }, el("p", { class: "muted" }, t("reg.import.hint")),
    labelled("reg-import-register", t("reg.import.register"), register), labelled("reg-import-file", t("reg.import.file"), file),
    el("div", {}, el("button", { type: "submit" }, t("reg.import.button"))), message);
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    message.textContent = "";
    report.replaceChildren();
    if (!file.files.length) { message.textContent = t("reg.import.none"); return; }
    report.textContent = t("reg.import.running");
    try {
      const res = await fetch(R + "/registers/" + encodeURIComponent(register.value) + "/import",
        { method: "POST", body: file.files[0], headers: { Accept: "application/json", "Content-Type": "application/octet-stream" } });
      const body = await answer(res);
      report.replaceChildren(el("p", { class: "ok" }, t("reg.import.added", { n: body.added })));
      if (!body.refused.length) { report.append(el("p", {}, t("reg.import.all_ok"))); return; }
      report.append(el("p", { class: "error" }, t("reg.import.refused", { n: body.refused.length })),
        el("div", { class: "table-wrap" }, el("table", { id: "reg-refused", class: "grid" },
          el("thead", {}, el("tr", {}, ...["reg.row", "reg.column", "reg.reason"].map((k) => el("th", { scope: "col" }, t(k))))),
          el("tbody", {}, ...body.refused.map((r) => el("tr", {}, el("td", {}, String(r.row)), el("td", {}, regFieldName(r.field)), el("td", {}, whyText(r))))))));
    } catch (err) {
      report.replaceChildren();
      message.textContent = err.code === "bad_request" && /header row/.test(err.message) ? t("reg.import.no_header") : regErrorText(err);
    }
  });
  return el("section", {}, el("h2", {}, t("reg.import")), registers.length ? el("div", {}, form, report) : el("p", { class: "muted" }, t("reg.registers.none")));
}

export function registerView(main, params) {
  document.title = t("reg.title") + " — kho";
  if (!session.account) return needSignIn(main, t("reg.title"));
  const show = async () => {
    main.append(el("h1", {}, t("reg.title")), subnav("#/register"));
    if (!purpose()) return purposeForm(main, show);
    main.append(purposeLine(main, show));
    const registers = await loadRegisters();
    const results = el("section", { id: "reg-results-box" });
    main.append(lookupSection(params, registers), results, registersSection(registers, () => { main.replaceChildren(); show(); }), importSection(registers));
    resultsSection(params, results);
  };
  show();
}

// --- #/register/type?register=ID&page=N: entries typed beside the scan --------------

// The entry form's fields, filled from a line's guess: a person checks each
// one against the scan and confirms; nothing is kept before they do.
function typeForm(registerId, page, done) {
  const inputs = Object.fromEntries(FIELDS.map((f) => [f, input("reg-type-" + f, f === "scan_page" || f === "scan_line" ? { inputmode: "numeric" } : {})]));
  inputs.scan_page.value = String(page);
  const message = el("p", { role: "alert", class: "error" });
  const form = el("form", { class: "grid-form", id: "reg-type" },
    ...FIELDS.map((f) => labelled("reg-type-" + f, regFieldName(f), inputs[f], DATES.has(f) ? t("reg.date_hint") : "")),
    el("div", {}, el("button", { type: "submit" }, t("reg.type.save"))), message);
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    message.textContent = "";
    const fields = Object.fromEntries(FIELDS.map((f) => [f, inputs[f].value.trim()]).filter(([, v]) => v));
    try {
      const made = await api(R + "/registers/" + encodeURIComponent(registerId) + "/entries", { method: "POST", json: { fields } });
      done(made);
    } catch (err) { message.textContent = regErrorText(err); }
  });
  const fill = (line) => {
    for (const f of FIELDS) if (f !== "scan_page") inputs[f].value = line.guess[f] || "";
    inputs.scan_line.value = String(line.line);
    inputs.full_name.focus();
  };
  return { form, fill };
}

export function typeView(main, params) {
  document.title = t("reg.type.title") + " — kho";
  if (!session.account) return needSignIn(main, t("reg.type.title"));
  const registerId = params.get("register") || "";
  const page = Math.max(1, parseInt(params.get("page") || "1", 10) || 1);
  const to = (p) => "#/register/type?" + query({ register: registerId, page: p });
  main.append(el("h1", {}, t("reg.type.title")), subnav(""),
    el("p", { class: "muted" }, t("reg.type.hint")),
    el("nav", { class: "bar", "aria-label": t("reg.type.pages") },
      page > 1 ? el("a", { href: to(page - 1) }, t("reg.type.prev")) : "", el("span", {}, t("page", { n: page })), el("a", { href: to(page + 1) }, t("reg.type.next"))));
  const viewer = el("div", { id: "reg-scan-viewer" });
  const lines = el("ul", { class: "plain", id: "reg-scan-lines" });
  const saved = el("ul", { class: "plain", id: "reg-type-saved", role: "status" });
  const { form, fill } = typeForm(registerId, page, (made) => {
    saved.prepend(el("li", {}, el("a", { href: "#/register/entry/" + made.id }, t("reg.type.saved", { name: made.fields.full_name, id: made.id }))));
    announce(t("reg.type.saved", { name: made.fields.full_name, id: made.id }));
    form.reset();
  });
  const status = el("p", { class: "status", role: "status" }, t("reg.type.reading"));
  main.append(el("div", { class: "record" }, el("section", { id: "reg-scan" }, el("h2", {}, t("reg.scan.title")), viewer),
    el("section", {}, el("h2", {}, t("reg.type.lines")), status, lines, el("h2", {}, t("reg.type.entry")), form, saved)));
  (async () => {
    try {
      const body = await api(R + "/registers/" + encodeURIComponent(registerId) + "/scan?" + query({ page }));
      status.textContent = body.lines.length ? t("reg.type.pick") : t("reg.type.no_text");
      for (const line of body.lines) {
        const pick = el("button", { type: "button", class: "link" }, t("reg.type.line", { n: line.line }) + " " + line.text);
        pick.addEventListener("click", () => fill(line));
        lines.append(el("li", {}, pick));
      }
      const reg = (await loadRegisters()).find((r) => String(r.id) === registerId) || {};
      const scan = reg.scan;
      if (!scan) return;
      const r = await api(recordUrl(scan));
      const original = (r.originals && r.originals[0]) || null;
      if (original && r.file_url !== null)
        openViewer(viewer, { url: r.file_url || recordUrl(scan) + "/file", textUrl: recordUrl(scan) + "/text",
          mediaType: r.media_type || original.media_type || "", page, pageCount: r.page_count });
    } catch (err) {
      status.className = "status error";
      status.textContent = regErrorText(err);
    }
  })();
}

// --- #/register/entry/ID -----------------------------------------------------------------

function fieldsTable(e) {
  const rows = FIELDS.filter((f) => e.fields[f]).map((f) => el("tr", {}, el("th", { scope: "row" }, regFieldName(f)),
    el("td", {}, DATES.has(f) ? vnDate(e.fields[f]) : e.fields[f])));
  rows.push(el("tr", {}, el("th", { scope: "row" }, t("reg.status")), el("td", {}, statusBadge(e.status))));
  if (e.register_info) rows.push(el("tr", {}, el("th", { scope: "row" }, t("reg.entry.register")), el("td", {}, e.register_info.title)));
  return el("div", { class: "table-wrap" }, el("table", { id: "reg-fields" }, el("tbody", {}, ...rows)));
}

function decisionText(d) {
  return t("reg.decision", { number: d.number, date: vnDate(d.date), signer: d.signer, reason: d.reason });
}

function historyList(e) {
  const shown = (f, v) => (DATES.has(f) ? vnDate(v) : v) || "∅";
  const items = e.history.slice().reverse().map((h) => el("li", {},
    el("div", { class: "meta" }, dateText(h.at) + " · " + h.actor + " · " + t("reg.op." + h.op)),
    h.decision ? el("div", { class: "decision" }, decisionText(h.decision)) : "",
    h.op !== "create" ? el("ul", { class: "changes" }, ...(h.changes || []).map((c) =>
      el("li", { class: "muted" }, regFieldName(c.field) + ": " + shown(c.field, c.old) + " → " + shown(c.field, c.new)))) : ""));
  return el("section", {}, el("h2", {}, t("reg.history")), el("ul", { class: "plain", id: "reg-history" }, ...items));
}

// The decision's four parts, for a correction or a revocation.
function decisionFields(prefix) {
  const parts = {};
  const fieldset = el("fieldset", {}, el("legend", {}, t("reg.decision.legend")));
  for (const part of ["number", "date", "signer", "reason"]) {
    const id = prefix + "-decision-" + part;
    parts[part] = input(id, { required: true });
    fieldset.append(labelled(id, regFieldName("decision." + part), parts[part], part === "date" ? t("reg.date_hint") : ""));
  }
  return { fieldset, value: () => Object.fromEntries(Object.entries(parts).map(([k, v]) => [k, v.value.trim()])), first: parts.number };
}

function changeForm(e, box, done) {
  const d = decisionFields("correct");
  const inputs = {};
  const fields = el("fieldset", {}, el("legend", {}, t("reg.correct.fields")));
  for (const f of FIELDS) {
    const id = "correct-" + f;
    inputs[f] = input(id, { value: DATES.has(f) ? vnDate(e.fields[f]) : e.fields[f] || "" });
    fields.append(labelled(id, regFieldName(f), inputs[f], DATES.has(f) ? t("reg.date_hint") : ""));
  }
  const message = el("p", { role: "alert", class: "error" });
  const form = el("form", { class: "stack", id: "reg-correct" }, d.fieldset, fields,
    el("div", { class: "actions" }, el("button", { type: "submit" }, t("reg.correct.button")),
      el("button", { type: "button", class: "secondary", onclick: () => done(false) }, t("edit.cancel"))), message);
  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    message.textContent = "";
    const set = {};
    for (const f of FIELDS) {
      const was = DATES.has(f) ? vnDate(e.fields[f]) : e.fields[f] || "";
      if (inputs[f].value.trim() !== was) set[f] = inputs[f].value.trim();
    }
    if (!Object.keys(set).length) { message.textContent = t("reg.correct.nothing"); return; }
    try {
      await api(R + "/entries/" + e.id + "/corrections", { method: "POST", json: { decision: d.value(), set } });
      announce(t("reg.correct.done"));
      done(true);
    } catch (err) {
      message.textContent = regErrorText(err);
      const target = err.field && (inputs[err.field] || document.getElementById("correct-" + err.field.replace(".", "-")));
      if (target) target.focus();
    }
  });
  box.replaceChildren(el("h2", {}, t("reg.correct")), form);
  d.first.focus();
}

function revokeForm(e, box, done) {
  const d = decisionFields("revoke");
  const message = el("p", { role: "alert", class: "error" });
  const form = el("form", { class: "stack", id: "reg-revoke" }, d.fieldset,
    el("div", { class: "actions" }, el("button", { type: "submit", class: "danger" }, t("reg.revoke.button")),
      el("button", { type: "button", class: "secondary", onclick: () => done(false) }, t("edit.cancel"))), message);
  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    message.textContent = "";
    try {
      await api(R + "/entries/" + e.id + "/revocation", { method: "POST", json: { decision: d.value() } });
      announce(t("reg.revoke.done"));
      done(true);
    } catch (err) { message.textContent = regErrorText(err); }
  });
  box.replaceChildren(el("h2", {}, t("reg.revoke")), form);
  d.first.focus();
}

function copyForm(e, box, done) {
  const requester = input("copy-requester", { required: true });
  const why = input("copy-purpose", { required: true, value: purpose() });
  const result = el("div", { id: "reg-copy-result", role: "status" });
  const message = el("p", { role: "alert", class: "error" });
  const form = el("form", { class: "stack", id: "reg-copy" },
    labelled("copy-requester", regFieldName("requester"), requester), labelled("copy-purpose", regFieldName("purpose"), why),
    el("div", { class: "actions" }, el("button", { type: "submit" }, t("reg.copy.button")),
      el("button", { type: "button", class: "secondary", onclick: () => done(false) }, t("edit.cancel"))), message);
  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    message.textContent = "";
    try {
      const c = await api(R + "/entries/" + e.id + "/copies", { method: "POST", json: { requester: requester.value.trim(), purpose: why.value.trim() } });
      result.replaceChildren(el("p", { class: "ok" }, t("reg.copy.done", { number: c.number })),
        el("p", {}, el("a", { class: "button", id: "reg-copy-pdf", href: c.pdf_url, download: "ban-sao-" + c.number + ".pdf" }, t("reg.copy.download", { number: c.number }))));
    } catch (err) { message.textContent = regErrorText(err); }
  });
  box.replaceChildren(el("h2", {}, t("reg.copy")), form, result);
  requester.focus();
}

// The scanned paper register beside the entry, at the entry's page.
async function scanPanel(e, box) {
  const scan = e.register_info && e.register_info.scan;
  if (!scan) return;
  const page = parseInt(e.fields.scan_page || "0", 10) || 0;
  const href = "#/r/" + scan + (page ? "?" + query({ p: page }) : "");
  const viewer = el("div", { id: "reg-scan-viewer" });
  box.append(el("section", { id: "reg-scan" }, el("h2", {}, t("reg.scan.title")),
    el("p", {}, el("a", { href, id: "reg-scan-link" }, page ? t("reg.scan.open", { page }) : t("reg.scan.open_any"))), viewer));
  try {
    const r = await api(recordUrl(scan));
    const original = (r.originals && r.originals[0]) || null;
    if (!original || r.file_url === null) return;
    openViewer(viewer, { url: r.file_url || recordUrl(scan) + "/file", textUrl: recordUrl(scan) + "/text",
      mediaType: r.media_type || original.media_type || "", page: page || 1, pageCount: r.page_count });
  } catch (_) { /* the link stays */ }
}

export function entryView(main, id) {
  document.title = t("reg.entry") + " — kho";
  if (!session.account) return needSignIn(main, t("reg.entry"));
  const show = async () => {
    if (!purpose()) { main.append(el("h1", {}, t("reg.entry"))); return purposeForm(main, show); }
    const status = el("p", { class: "status" }, t("record.loading"));
    main.append(status);
    let e;
    try {
      e = await api(R + "/entries/" + encodeURIComponent(id) + "?" + query({ purpose: purpose() }));
    } catch (err) {
      status.className = "status error";
      status.textContent = regErrorText(err);
      return;
    }
    status.remove();
    const name = e.fields.full_name || "#" + e.id;
    document.title = name + " — " + t("reg.title") + " — kho";
    const panel = el("div", { id: "reg-panel" });
    const actions = el("div", { class: "actions", id: "reg-actions" });
    const side = el("div", {});
    main.append(subnav(""), el("h1", {}, name, " ", statusBadge(e.status)), purposeLine(main, () => entryView(main, id)));
    const revoked = e.history.filter((h) => h.op === "revoke").pop();
    if (revoked) main.append(el("p", { class: "error", role: "note" }, t("reg.entry.revoked", { number: revoked.decision.number, date: vnDate(revoked.decision.date) })));
    main.append(actions, panel, el("div", { class: "record" }, el("div", {}, fieldsTable(e), historyList(e)), side));
    const reload = (changed) => { if (changed) { main.replaceChildren(); entryView(main, id); } else panel.replaceChildren(); };
    if (e.status !== "revoked") {
      const button = (key, idName, handler, cls = "secondary") => actions.append(el("button", { type: "button", class: cls, id: idName, onclick: handler }, t(key)));
      button("reg.copy", "reg-action-copy", () => copyForm(e, panel, reload), "");
      button("reg.correct", "reg-action-correct", () => changeForm(e, panel, reload));
      button("reg.revoke", "reg-action-revoke", () => revokeForm(e, panel, reload), "danger");
    }
    scanPanel(e, side);
  };
  show();
}

// --- #/register/copies --------------------------------------------------------------------

export async function copiesView(main) {
  document.title = t("reg.copies") + " — kho";
  if (!session.account) return needSignIn(main, t("reg.copies"));
  main.append(el("h1", {}, t("reg.copies")), subnav("#/register/copies"));
  const status = el("p", { class: "status", role: "status" }, t("record.loading"));
  main.append(status);
  try {
    const body = await api(R + "/copies");
    if (!body.copies.length) { status.textContent = t("reg.copies.none"); return; }
    status.textContent = "";
    const cols = ["reg.copies.number", "reg.copies.entry", "reg.f.org", "reg.copies.at", "reg.copies.by", "reg.f.requester", "reg.f.purpose", "reg.copies.pdf"];
    const rows = body.copies.slice().reverse().map((c) => el("tr", {},
      el("td", {}, String(c.number)), el("td", {}, el("a", { href: "#/register/entry/" + c.entry }, "#" + c.entry)), el("td", {}, c.org),
      el("td", {}, dateText(c.at)), el("td", {}, c.issued_by), el("td", {}, c.requester), el("td", {}, c.purpose),
      el("td", {}, el("a", { href: c.pdf_url, download: "ban-sao-" + c.number + ".pdf" }, t("reg.copies.open")))));
    main.append(el("div", { class: "table-wrap" }, el("table", { id: "reg-copies", class: "grid" },
      el("thead", {}, el("tr", {}, ...cols.map((k) => el("th", { scope: "col" }, t(k))))), el("tbody", {}, ...rows))));
  } catch (err) {
    status.className = "status error";
    status.textContent = regErrorText(err);
  }
}
