// "Xuất danh mục": the catalogue taken away as a file, from the search page.
// Offered when the results are books, or to a librarian (or admin) always:
// every book the reader may read, or exactly the current search, as MARC 21
// (ISO 2709 or MARCXML) for another library system, or as a sheet (CSV or
// Excel) that kho's import reads back. The server decides what is in it:
// a visitor's file holds the public books only.
import { t } from "./i18n.js";
import { query } from "./api.js";
import { el, session } from "./ui.js";

const FORMATS = [["iso2709", "export.iso2709"], ["marcxml", "export.marcxml"], ["csv", "export.csv"], ["xlsx", "export.xlsx"]];

const isStaff = () => Object.values(session.roles || {}).some((r) => r === "librarian" || r === "admin");

// The export control for a search state (q, filters) and its hits; null when not offered.
export function exportControl(s, hits) {
  const books = s.filters.kind === "book" || (hits || []).some((h) => h.kind === "book");
  if (!books && !isStaff()) return null;
  const searched = !!s.q || Object.keys(s.filters).length > 0;
  const scope = el("fieldset", { class: "export-scope" }, el("legend", {}, t("export.what")));
  const choices = [["all", "export.all"]];
  if (searched) choices.push(["search", "export.search"]);
  for (const [value, key] of choices) {
    const input = el("input", { type: "radio", name: "export-scope", value, checked: value === (searched ? "search" : "all") });
    scope.append(el("label", {}, input, " " + t(key)));
  }
  const links = el("div", { class: "chips", id: "export-formats" });
  const href = (format) => {
    const which = scope.querySelector("input:checked").value;
    return "/api/v1/catalogue/export?" + query(Object.assign({ format }, which === "search" ? Object.assign({ q: s.q }, s.filters) : {}));
  };
  const refresh = () => {
    links.replaceChildren(...FORMATS.map(([format, key]) => el("a", { href: href(format), download: "", "data-format": format }, t(key))));
  };
  scope.addEventListener("change", refresh);
  refresh();
  return el("details", { class: "export", id: "export" }, el("summary", {}, t("export.title")), scope, links, el("p", { class: "meta" }, t("export.note")));
}
