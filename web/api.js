// kho's JSON API as the application uses it. Errors arrive as
// {"error": {"code", "message", "field"?}}; the page words them by code.
import { t, has, fieldName } from "./i18n.js";

export class ApiError extends Error {
  constructor(status, code, message, field) {
    super(message);
    this.status = status;
    this.code = code;
    this.field = field;
  }
}

export async function api(path, { method = "GET", json, body, headers = {} } = {}) {
  const init = { method, headers: Object.assign({ Accept: "application/json" }, headers) };
  if (json !== undefined) {
    init.headers["Content-Type"] = "application/json";
    init.body = JSON.stringify(json);
  } else if (body !== undefined) {
    init.body = body;
  }
  let res;
  try {
    res = await fetch(path, init);
  } catch (_) {
    throw new ApiError(0, "network", "network");
  }
  return answer(res);
}

// A fetch's answer: its JSON body, or the ApiError it stands for.
export async function answer(res) {
  let data = null;
  const text = await res.text();
  try { data = text ? JSON.parse(text) : {}; } catch (_) { /* a proxy's HTML page */ }
  if (!res.ok) {
    const e = (data && data.error) || {};
    throw new ApiError(res.status, e.code || "http_" + res.status, e.message || "", e.field);
  }
  return data || {};
}

// An error in the reader's language: the code's wording, never the server's English.
export function errorText(err) {
  if (!(err instanceof ApiError)) return t("err.unknown", { code: String(err && err.message) });
  const key = "err." + err.code;
  return has(key) ? t(key, { field: err.field ? fieldName(err.field) : "" }) : t("err.unknown", { code: err.code });
}

export const recordUrl = (id) => "/api/v1/records/" + encodeURIComponent(id);
export const query = (params) => {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== "") p.set(k, v);
  return p.toString();
};

// Folding as kho's index folds, for highlighting on the page: no accents,
// đ as d, lower case. One folded character per source character.
export function foldChar(c) {
  return c.normalize("NFD").replace(/[\u0300-\u036f]/g, "").replace(/[đĐ]/g, "d").toLowerCase();
}
export const fold = (s) => Array.from(s.normalize("NFC")).map(foldChar).join("");
export const queryWords = (q) => fold(q || "").split(/[^\p{L}\p{N}]+/u).filter((w) => w.length > 0);

// Schools and offices by code, for showing a name where the API gives a code
// (facets, records). The list is public and small; asked once per page load.
const schoolNames = new Map();
let schoolsAsked = null;
export function loadSchoolNames() {
  schoolsAsked ??= api("/api/v1/schools")
    .then((b) => { for (const s of b.schools) schoolNames.set(s.code.toUpperCase(), s.name); })
    .catch(() => {});
  return schoolsAsked;
}
export const schoolName = (code) => schoolNames.get(String(code).toUpperCase()) || code;
