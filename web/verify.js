// Public verification of a diploma (/verify), for anyone, without an
// account: by the serial number, year and date of birth typed in a form, or
// by the code of a copy's QR, whose address (/verify#PAYLOAD.SIG) opens this
// page with the code in the hash. Shows only what the server's answer shows.
import { t } from "./i18n.js";
import { api, query } from "./api.js";
import { el } from "./ui.js";
import { regErrorText, regFieldName, vnDate } from "./register.js";

const SHOWN = ["full_name", "birth_date", "serial", "entry_number", "school", "year"];
const DATES = new Set(["birth_date"]);

// The verdict: its wording, the decision behind a correction or revocation,
// the copy checked, and what the register shows.
function verdict(v) {
  const d = v.decision || {};
  const words = v.status === "corrected" || v.status === "revoked"
    ? t("verify." + v.status, { number: d.number || "", date: vnDate(d.date) })
    : t("verify." + (["valid", "not_found", "tampered"].includes(v.status) ? v.status : "tampered"));
  const box = el("section", { class: "verdict verdict-" + v.status, id: "verdict", "aria-labelledby": "verdict-title" },
    el("h2", { id: "verdict-title" }, words));
  if (v.copy) box.append(el("p", {}, t("verify.copy", { n: v.copy })));
  if (v.changed_since_copy) box.append(el("p", { class: "error" }, t("verify.changed_since_copy")));
  if (v.status === "revoked" || v.status === "corrected") {
    if (d.reason) box.append(el("p", {}, regFieldName("decision.reason") + ": " + d.reason));
  }
  const rows = SHOWN.filter((f) => v.shown && v.shown[f]).map((f) => el("tr", {}, el("th", { scope: "row" }, regFieldName(f)),
    el("td", {}, DATES.has(f) ? vnDate(v.shown[f]) : v.shown[f])));
  if (rows.length) box.append(el("h3", {}, t("verify.shown")), el("div", { class: "table-wrap" }, el("table", { id: "verify-shown" }, el("tbody", {}, ...rows))));
  return box;
}

function form(result) {
  const ids = { serial: "verify-serial", year: "verify-year", birth_date: "verify-birth-date" };
  const inputs = {
    serial: el("input", { id: ids.serial, required: true, autocomplete: "off" }),
    year: el("input", { id: ids.year, required: true, inputmode: "numeric", autocomplete: "off" }),
    birth_date: el("input", { id: ids.birth_date, required: true, autocomplete: "off" }),
  };
  const message = el("p", { role: "alert", class: "error" });
  const f = el("form", { class: "stack", id: "verify-form" },
    el("label", { for: ids.serial }, regFieldName("serial"), inputs.serial),
    el("label", { for: ids.year }, regFieldName("year"), inputs.year),
    el("label", { for: ids.birth_date }, regFieldName("birth_date"), el("span", { class: "muted hint" }, t("reg.date_hint")), inputs.birth_date),
    el("div", {}, el("button", { type: "submit" }, t("verify.button"))), message);
  f.addEventListener("submit", async (e) => {
    e.preventDefault();
    message.textContent = "";
    result.replaceChildren(el("p", { class: "status", role: "status" }, t("verify.running")));
    try {
      const v = await api("/api/v1/verify?" + query({ serial: inputs.serial.value.trim(), year: inputs.year.value.trim(), birth_date: inputs.birth_date.value.trim() }));
      result.replaceChildren(verdict(v));
    } catch (err) {
      result.replaceChildren();
      message.textContent = regErrorText(err);
    }
  });
  return f;
}

export async function verifyView(main) {
  document.title = t("verify.title") + " — kho";
  const code = location.hash.replace(/^#/, "");
  const result = el("div", { id: "verify-result", "aria-live": "polite" });
  main.append(el("h1", {}, t("verify.title")));
  if (code && !code.startsWith("/")) {
    main.append(el("p", { class: "muted" }, t("verify.code")), result,
      el("p", {}, el("a", { href: "/verify" }, t("verify.again"))));
    result.append(el("p", { class: "status", role: "status" }, t("verify.running")));
    try {
      const v = await api("/api/v1/verify", { method: "POST", json: { code: location.href } });
      result.replaceChildren(verdict(v));
    } catch (err) {
      result.replaceChildren(el("p", { class: "error", role: "alert" }, regErrorText(err)));
    }
    return;
  }
  main.append(el("p", { class: "muted" }, t("verify.hint")), form(result), result);
}
