// Thống kê: counts of the records the caller may read (GET /api/v1/stats),
// by the dimensions chosen and an optional search filter, as tables and
// Chart.js charts (Debian's libjs-chart.js, served at /app/chart.min.js),
// printable on A4, with the same counts as CSV and XLSX downloads.
import { t, has, valueName } from "./i18n.js";
import { api, errorText, query } from "./api.js";
import { el } from "./ui.js";

const DIMENSIONS = ["school", "kind", "year", "subject", "grade", "language", "status", "approval", "visibility"];
const COLOURS = ["#1f5fa8", "#d9822b", "#2e8540", "#a23b72", "#6b4fbb", "#c0392b", "#15808a", "#7a6a00", "#4d5866", "#b35900"];

let chartLoading = null;
// Chart.js is a classic script defining window.Chart: loaded once, when first needed.
function loadChart() {
  if (window.Chart) return Promise.resolve(window.Chart);
  chartLoading ??= new Promise((resolve, reject) => {
    const s = el("script", { src: "/app/chart.min.js" });
    s.onload = () => resolve(window.Chart);
    s.onerror = () => { chartLoading = null; reject(new Error("chart.min.js")); };
    document.head.append(s);
  });
  return chartLoading;
}

const label = (dim, value) => {
  if (value === "") return t("value.unspecified");
  if (dim === "approval") return has("stats.approval." + value) ? t("stats.approval." + value) : value;
  return valueName(dim, value);
};

function countTable(id, caption, headers, rows, total) {
  const head = el("tr", {}, ...headers.map((h, i) => el("th", { scope: "col", class: i === headers.length - 1 ? "num" : "" }, h)));
  const body = rows.map((cells) => el("tr", {}, ...cells.map((c, i) => i === cells.length - 1 ? el("td", { class: "num" }, String(c)) : el("td", {}, c))));
  const foot = el("tr", { class: "total" }, el("th", { scope: "row", colspan: String(headers.length - 1) }, t("stats.total")), el("td", { class: "num" }, String(total)));
  return el("div", { class: "table-wrap" }, el("table", { class: "grid counts", id },
    el("caption", {}, caption), el("thead", {}, head), el("tbody", {}, ...body), el("tfoot", {}, foot)));
}

// The first dimension along the axis, one stacked series per value of the second.
// When the first has one value only (one school), the second goes along the axis.
function barData(by, rows) {
  const single = by[1] && new Set(rows.map((r) => r[by[0]])).size === 1;
  const first = single ? by[1] : by[0], second = single ? by[2] : by[1];
  const keys = [...new Set(rows.map((r) => r[first]))];
  const series = second ? [...new Set(rows.map((r) => r[second]))] : [null];
  const datasets = series.map((s, i) => ({
    label: s === null ? t("stats.count") : label(second, s),
    backgroundColor: COLOURS[i % COLOURS.length],
    data: keys.map((k) => rows.filter((r) => r[first] === k && (s === null || r[second] === s)).reduce((n, r) => n + r.count, 0)),
  }));
  return { labels: keys.map((k) => label(first, k)), datasets };
}

function chartBox(id, title) {
  const canvas = el("canvas", { id, role: "img", "aria-label": title }, title);
  return { box: el("figure", { class: "chart" }, el("figcaption", {}, title), el("div", { class: "chart-area" }, canvas)), canvas };
}

export function statsView(main, params) {
  main.append(el("h1", {}, t("stats.title")));
  const by = (params.get("by") || "school,kind").split(",").filter((d) => DIMENSIONS.includes(d));
  const q = params.get("q") || "";
  const boxes = DIMENSIONS.map((d) => el("label", { class: "check" }, el("input", { type: "checkbox", name: "by", value: d, checked: by.includes(d) }), " " + t("stats.dim." + d)));
  const filter = el("input", { id: "stats-q", type: "search", value: q });
  const form = el("form", { class: "stack no-print", id: "stats-form" },
    el("fieldset", {}, el("legend", {}, t("stats.by")), el("div", { class: "bar" }, ...boxes)),
    el("label", { for: "stats-q" }, t("stats.filter"), filter),
    el("p", { class: "meta" }, t("stats.filter.hint")),
    el("div", { class: "bar" }, el("button", { type: "submit" }, t("stats.show")),
      el("button", { type: "button", class: "secondary", onclick: () => window.print() }, t("stats.print"))));
  const status = el("p", { class: "status", role: "status" });
  const result = el("div", { id: "stats-result" });
  main.append(form, status, result);
  form.addEventListener("submit", (e) => {
    e.preventDefault();
    const chosen = [...form.querySelectorAll("input[name=by]:checked")].map((i) => i.value);
    location.hash = "#/stats?" + query({ by: chosen.join(","), q: filter.value.trim() });
  });
  if (!by.length) { status.textContent = t("stats.choose"); return; }
  show(by, q, status, result);
}

async function show(by, q, status, result) {
  status.textContent = t("stats.loading");
  const asked = { by: by.join(","), q };
  let stats;
  try {
    stats = await api("/api/v1/stats?" + query(asked));
  } catch (err) {
    status.className = "status error";
    status.textContent = errorText(err);
    return;
  }
  status.textContent = "";
  const download = (format, monthly, text) => el("a", { class: "button secondary", download: "", href: "/api/v1/stats?" + query({ ...asked, format, monthly: monthly ? "1" : "" }) }, text);
  const headers = [...by.map((d) => t("stats.dim." + d)), t("stats.count")];
  const axis = by[1] && new Set(stats.rows.map((r) => r[by[0]])).size === 1 ? by[1] : by[0];
  const bars = chartBox("stats-chart", t("stats.chart.by", { dim: t("stats.dim." + axis).toLowerCase() }));
  const growth = chartBox("stats-growth", t("stats.chart.monthly"));
  result.replaceChildren(
    el("p", { class: "summary", id: "stats-total" }, t("stats.summary", { n: stats.total })),
    el("div", { class: "bar no-print downloads" }, download("csv", false, t("stats.csv")), download("xlsx", false, t("stats.xlsx")),
      download("csv", true, t("stats.csv.monthly"))),
    bars.box,
    countTable("stats-table", t("stats.table"), headers, stats.rows.map((r) => [...by.map((d) => label(d, r[d])), r.count]), stats.total),
    stats.schools.length > 1 ? countTable("stats-schools", t("stats.schools"), [t("stats.dim.school"), t("stats.count")], stats.schools.map((s) => [s.school || t("value.unspecified"), s.count]), stats.total) : "",
    growth.box,
    countTable("stats-monthly", t("stats.monthly"), [t("stats.dim.month"), t("stats.count")], stats.monthly.map((m) => [m.month, m.count]), stats.total));
  let Chart;
  try {
    Chart = await loadChart();
  } catch (_) {
    status.textContent = t("stats.no_chart");
    return;
  }
  const common = { animation: false, responsive: true, maintainAspectRatio: false };
  const charts = [
    new Chart(bars.canvas, { type: "bar", data: barData(by, stats.rows),
      options: { ...common, scales: { x: { stacked: true }, y: { stacked: true, beginAtZero: true, ticks: { precision: 0 } } } } }),
    new Chart(growth.canvas, { type: "bar", data: { labels: stats.monthly.map((m) => m.month),
      datasets: [{ label: t("stats.added"), data: stats.monthly.map((m) => m.count), borderColor: COLOURS[0], backgroundColor: COLOURS[0] }] },
      options: { ...common, scales: { y: { beginAtZero: true, ticks: { precision: 0 } } } } }),
  ];
  shown.forEach((c) => c.destroy());
  shown = charts;
}

// Printing lays the page out again at A4's width: the charts follow it.
let shown = [];
const resize = () => shown.forEach((c) => c.canvas.isConnected && c.resize());
window.addEventListener("beforeprint", resize);
window.addEventListener("afterprint", resize);
