// Search and browse: the query box, results with the fields each kind of
// document is known by, facets, sort and paging. No query: newest first.
import { t, valueName } from "./i18n.js";
import { api, errorText, loadSchoolNames, query, recordUrl, schoolName } from "./api.js";
import { el, go } from "./ui.js";
import { exportControl } from "./catalogue_export.js";

const FACETS = ["kind", "doctype", "subject", "grade", "year", "school", "language", "collection", "approval"];
const PER_PAGE = 10;
// What a reader recognises each kind by, in order.
const META = {
  "book": ["creator", "year", "publisher", "call_number"],
  "lesson-plan": ["subject", "grade", "teacher", "creator", "school"],
  "admin-doc": ["number", "issuer", "date"],
  "diploma": ["school", "year"],
  "other": ["creator", "date"],
};

function stateFrom(params, path) {
  const s = { q: params.get("q") || "", page: Math.max(1, parseInt(params.get("page") || "1", 10) || 1),
    sort: params.get("sort") || "", filters: {}, browse: path === "/browse" };
  for (const f of FACETS) if (params.get(f)) s.filters[f] = params.get(f);
  return s;
}

function hashOf(s) {
  const base = s.q || !s.browse ? "#/search?" : "#/browse?";
  return base + query(Object.assign({ q: s.q, page: s.page > 1 ? s.page : "", sort: s.sort }, s.filters));
}

function metaLine(hit) {
  const f = hit.fields || {};
  const parts = [valueName("kind", hit.kind)];
  for (const name of META[hit.kind] || META.other) {
    if (!f[name]) continue;
    parts.push(name === "grade" ? valueName("grade", f[name]) : name === "school" ? schoolName(f[name]) : f[name]);
  }
  if (hit.page > 0) parts.push(t("page", { n: hit.page }));
  if (!hit.fields && hit.filename) parts.push(hit.filename);
  return el("div", { class: "meta" }, parts.filter(Boolean).join(" · "));
}

function recordHash(id, q, page) { return "#/r/" + id + "?" + query({ q, p: page > 0 ? page : "" }); }

function renderHit(hit, s) {
  const li = el("li");
  li.append(el("a", { class: "title", href: recordHash(hit.id, s.q, hit.page) }, hit.title || hit.filename || "#" + hit.id), metaLine(hit));
  if (hit.snippet_html) {
    const p = el("p", { class: "snippet" });
    p.innerHTML = hit.snippet_html;  // escaped by the server: its only markup is <mark>
    li.append(p);
  }
  if (hit.matching_pages > 1) {
    const more = el("button", { type: "button", class: "link meta" }, t("search.pages", { n: hit.matching_pages }));
    more.addEventListener("click", () => showPages(hit.id, s.q, li, more));
    li.append(more);
  }
  return li;
}

async function showPages(id, q, li, button) {
  button.remove();
  const list = el("ul", { class: "pages" });
  li.append(list);
  try {
    const body = await api(recordUrl(id) + "/search?" + query({ q }));
    for (const p of body.pages) {
      const text = el("span");
      text.innerHTML = " " + p.snippet_html;  // escaped by the server: its only markup is <mark>
      list.append(el("li", { class: "snippet" }, el("a", { href: recordHash(id, q, p.page) }, t("page", { n: p.page })), text));
    }
  } catch (err) {
    list.append(el("li", { class: "error" }, t("search.pages_failed", { reason: errorText(err) })));
  }
}

function facetList(facets, s) {
  const aside = el("aside", { "aria-label": t("facets") });
  for (const name of FACETS) {
    const values = (facets || {})[name];
    if (!values || !values.length) continue;
    const ul = el("ul");
    for (const v of values.slice(0, 12)) {
      const on = s.filters[name] === v.value;
      const filters = Object.assign({}, s.filters);
      if (on) delete filters[name]; else filters[name] = v.value;
      ul.append(el("li", {}, el("a", { class: on ? "on" : "", href: hashOf(Object.assign({}, s, { page: 1, filters })), "aria-current": on ? "true" : false },
        (name === "school" ? schoolName(v.value) : valueName(name, v.value)) + " (" + v.count + ")")));
    }
    aside.append(el("h2", {}, t("facet." + name)), ul);
  }
  return aside;
}

function searchForm(s) {
  const q = el("input", { type: "search", id: "q", name: "q", value: s.q, placeholder: t("search.placeholder"), "aria-label": t("search.label") });
  const sort = el("select", { id: "sort", "aria-label": t("search.sort") },
    ...["relevance", "added", "newest", "oldest", "title"].map((v) => el("option", { value: v, selected: (s.sort || (s.q ? "relevance" : "added")) === v }, t("sort." + v))));
  const form = el("form", { id: "search", class: "bar", role: "search" }, q, sort, el("button", { type: "submit" }, t("search.button")));
  form.addEventListener("submit", (e) => { e.preventDefault(); go(hashOf({ q: q.value.trim(), page: 1, sort: sort.value === "relevance" ? "" : sort.value, filters: {}, browse: false })); });
  sort.addEventListener("change", () => go(hashOf(Object.assign({}, s, { page: 1, sort: sort.value }))));
  return form;
}

let latest = 0;  // answers to older searches that arrive late are dropped

export async function searchView(main, params, path) {
  const s = stateFrom(params, path);
  const status = el("p", { class: "status", id: "status", role: "status" });
  const results = el("ol", { class: "results", id: "results" });
  const pager = el("nav", { class: "pager", "aria-label": t("search.page", { n: s.page }) });
  const suggestion = el("p", { id: "suggestion", hidden: true });
  const column = el("div", {}, status, suggestion, results, pager);
  const layout = el("div", { class: "layout" }, el("aside"), column);
  main.append(el("h1", { class: "visually-hidden" }, t("nav.search")), searchForm(s));
  if (!s.q) {
    main.append(el("h2", {}, t("browse.title")), el("div", { class: "chips" }, t("browse.by_kind"),
      ...["book", "lesson-plan", "admin-doc", "diploma"].map((k) => el("a", { href: hashOf({ q: "", page: 1, sort: "", filters: { kind: k }, browse: true }) }, valueName("kind", k)))));
  }
  main.append(layout);
  const ticket = ++latest;
  status.textContent = t("search.running");
  try {
    const [body] = await Promise.all([  // school names beside the search, not after it
      api("/api/v1/search?" + query(Object.assign({ q: s.q, page: s.page, per_page: PER_PAGE, sort: s.sort || (s.q ? "" : "added"), facets: 1 }, s.filters))),
      loadSchoolNames()]);
    if (ticket !== latest) return;
    const count = t(body.total_exact === false ? "search.count_about" : "search.count", { n: body.total });
    status.textContent = body.total === 0 ? t("search.none") : count + (s.page > 1 ? " · " + t("search.page", { n: s.page }) : "");
    body.hits.forEach((h) => results.append(renderHit(h, s)));
    const exporter = body.total > 0 ? exportControl(s, body.hits) : null;
    if (exporter) status.after(exporter);
    layout.firstChild.replaceWith(facetList(body.facets, s));
    if (body.suggestion) {
      suggestion.append(t("search.did_you_mean") + " ", el("a", { href: hashOf(Object.assign({}, s, { q: body.suggestion, page: 1 })) }, body.suggestion));
      suggestion.hidden = false;
    }
    if (s.page > 1) pager.append(el("a", { href: hashOf(Object.assign({}, s, { page: s.page - 1 })), rel: "prev" }, t("prev")));
    if (s.page * PER_PAGE < body.total) pager.append(el("a", { href: hashOf(Object.assign({}, s, { page: s.page + 1 })), rel: "next" }, t("next")));
  } catch (err) {
    if (ticket !== latest) return;
    status.className = "status error";
    status.textContent = t("search.failed", { reason: errorText(err) });
  }
}
