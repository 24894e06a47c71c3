// kho's web application: a client of the JSON API (openapi.json), no server
// pages. Routes live in the address's hash (#/search?q=…, #/r/12?q=…&p=3,
// #/upload, #/audit, #/login, #/register…); a share link's address is
// /s/SECRET; the public verification of a diploma is /verify (a copy's QR
// code: /verify#CODE).
import { t, lang, setLang } from "./i18n.js";
import { api, errorText } from "./api.js";
import { el, go, session } from "./ui.js";
import { searchView } from "./search.js";
import { recordView, sharedView } from "./record.js";
import { uploadView } from "./upload.js";
import { auditView } from "./audit.js";
import { adminView } from "./admin.js";
import { registerView, entryView, copiesView, typeView, handlesRegister } from "./register.js";
import { verifyView } from "./verify.js";
import { waitingView, reviews } from "./approval.js";
import { statsView } from "./stats.js";

const $ = (id) => document.getElementById(id);

function parseHash() {
  const h = location.hash.replace(/^#/, "") || "/";
  const [path, qs] = h.split("?");
  return { path, params: new URLSearchParams(qs || "") };
}

function loginView(main, params) {
  const error = el("p", { class: "error", role: "alert" });
  const name = el("input", { id: "login-name", name: "name", autocomplete: "username", required: true });
  const password = el("input", { id: "login-password", name: "password", type: "password", autocomplete: "current-password", required: true });
  const form = el("form", { class: "stack", id: "login" },
    el("label", { for: "login-name" }, t("login.name"), name),
    el("label", { for: "login-password" }, t("login.password"), password),
    el("div", {}, el("button", { type: "submit" }, t("signin"))), error);
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    error.textContent = "";
    try {
      await api("/api/v1/login", { method: "POST", json: { name: name.value, password: password.value } });
    } catch (err) {
      password.value = "";
      error.textContent = err.status === 429 ? t("login.locked") : err.status === 401 ? t("login.failed") : errorText(err);
      return;
    }
    await loadSession();
    go(params.get("next") || "#/");
  });
  main.append(el("h1", {}, t("login.title")), form);
  name.focus();
}

async function loadSession() {
  try {
    const me = await api("/api/v1/me");
    Object.assign(session, { account: me.account, admin: !!me.admin, home: me.home || "", roles: me.roles || {} });
  } catch (err) {
    if (err.status === 401) await fetch("/api/v1/logout", { method: "POST" }).catch(() => null);  // a session that ended
    Object.assign(session, { account: null, admin: false, home: "", roles: {} });
  }
  renderChrome();
}

function renderChrome() {
  document.title = t("app.title");
  $("skip").textContent = t("skip");
  $("lang").textContent = t("lang.switch");
  $("lang").lang = lang() === "vi" ? "en" : "vi";
  $("signin").textContent = t("signin");
  $("signout").textContent = t("signout");
  $("who").textContent = session.account ? t("signed_in", { name: session.account }) : "";
  $("signin").hidden = !!session.account;
  $("signout").hidden = !session.account;
  const { path } = parseHash();
  const links = [["#/", "nav.search"], ["#/browse", "nav.browse"]];
  if (session.account) links.push(["#/upload", "nav.upload"]);
  if (session.account && reviews()) links.push(["#/waiting", "nav.waiting"]);  // a group head's one click
  if (session.admin) links.push(["#/audit", "nav.audit"]);
  if (session.account) links.push(["#/admin", "nav.admin"]);
  if (session.account && handlesRegister()) links.push(["#/register", "nav.register"]);
  // Statistics for staff: any role but reader (a reader may still open #/stats).
  if (session.admin || Object.values(session.roles || {}).some((r) => r !== "reader")) links.push(["#/stats", "nav.stats"]);
  links.push(["/verify", "nav.verify"]);
  const verifying = location.pathname === "/verify";
  $("nav").replaceChildren(...links.map(([href, key]) => {
    const current = verifying ? href === "/verify"
      : href === "#" + path || (href === "#/" && path === "/search") || (href === "#/register" && path.startsWith("/register"));
    // On /verify the application's own pages are at /#/…
    return el("a", { href: verifying && href.startsWith("#") ? "/" + href : href, "aria-current": current ? "page" : false }, t(key));
  }));
}

const routes = {
  "/": searchView, "/search": searchView, "/browse": searchView,
  "/upload": uploadView, "/audit": auditView, "/admin": adminView, "/login": loginView,
  "/waiting": waitingView,
  "/register": registerView, "/register/copies": copiesView, "/register/type": typeView,
  "/stats": statsView,
};

function render() {
  renderChrome();
  const main = $("view");
  main.replaceChildren();
  const share = location.pathname.match(/^\/s\/([^/]+)$/);
  if (share) return sharedView(main, decodeURIComponent(share[1]));
  if (location.pathname === "/verify") {
    // A page of the application asked for from /verify (#/…) opens at /.
    if (location.hash.startsWith("#/")) return location.assign("/" + location.hash);
    return verifyView(main);
  }
  const { path, params } = parseHash();
  const record = path.match(/^\/r\/(\d+)$/);
  if (record) return recordView(main, record[1], params);
  const entry = path.match(/^\/register\/entry\/(\d+)$/);
  if (entry) return entryView(main, entry[1]);
  (routes[path] || searchView)(main, params, path);
}

$("lang").addEventListener("click", () => { setLang(lang() === "vi" ? "en" : "vi"); render(); });
$("signout").addEventListener("click", async () => {
  await fetch("/api/v1/logout", { method: "POST" }).catch(() => null);
  await loadSession();
  render();
});
$("skip").addEventListener("click", (e) => { e.preventDefault(); $("view").focus(); });
window.addEventListener("hashchange", render);
// The page before this application used ?q=…; keep such addresses working.
if (location.search && !location.hash && location.pathname === "/") {
  history.replaceState(null, "", "/#/search" + location.search);
}
// Pages whose content does not depend on who is signed in (the cookie goes
// with their requests anyway) start at once, beside the session's request.
const path = parseHash().path;
if (location.pathname.startsWith("/s/") || location.pathname === "/verify" || ["/", "/search", "/browse"].includes(path) || /^\/r\/\d+$/.test(path)) {
  render();
  loadSession();
} else {
  loadSession().then(render);
}
