// Every route a client calls, called on a real kho, and each answer checked
// against web/openapi.json: its status is described for that operation, its
// Content-Type is one the description lists, and a JSON body validates
// (ajv, JSON Schema 2020-12) against that response's schema.
//   node tests/web/openapi-answers.mjs [--kho build/kho] [--modules build/tests/web]
import assert from "node:assert/strict";
import {
  api, cleanupAll, makeLibrary, parseArgs, requireFrom, SCHOOL, startServer, watchdog,
} from "./lib/harness.mjs";
import { loadDescription, mismatch } from "./lib/openapi.mjs";

const options = parseArgs();
const description = await loadDescription(requireFrom(options.modules));
const { described } = description;
watchdog(90);

let passed = 0, failed = 0;
const problems = [];

// One call: checks the answer against the description of `route` (a path
// template of openapi.json). `expect`, when given, is the status the call
// should get.
const called = new Set();

async function check(label, method, route, url, init = {}, expect) {
  called.add(`${method.toLowerCase()} ${route}`);
  const res = await api(baseUrl, url, { ...init, method });
  const name = `${method} ${url}: ${label}`;
  const fail = (why) => {
    failed++;
    problems.push(`${name}: ${why}`);
    console.log(`FAILED: ${name}: ${why}`);
    return res;
  };
  if (expect !== undefined && res.status !== expect)
    return fail(`answered ${res.status}, expected ${expect}: ${res.text.slice(0, 300)}`);
  const type = res.headers.get("content-type") || "";
  const body = type.startsWith("application/json") ? res.json : res.text;
  const why = mismatch(description, method, route, res.status, type, body);
  if (why) return fail(why);
  passed++;
  console.log(`ok: ${name}: ${res.status}${type ? " " + type.split(";")[0] : ""}`);
  return res;
}

let baseUrl;
try {
  const library = makeLibrary(options.kho);
  const admin = library.account("admin"), librarian = library.account("librarian"), clerk = library.account("office");
  const server = await startServer(options.kho, library.data);
  baseUrl = server.baseUrl;
  const decision = library.records["qd-cong-nhan-tot-nghiep-utf16.txt"];
  const plan = library.records["ke-hoach-44-KH-PGDDT.pdf"];
  assert.ok(decision && plan, `samples/ changed: ${JSON.stringify(library.records)}`);

  // The description served is the one in the source tree.
  const served = await check("the description itself", "GET", "/api/v1/openapi.json", "/api/v1/openapi.json", {}, 200);
  if (JSON.stringify(served.json) !== JSON.stringify(described)) {
    failed++;
    console.log("FAILED: /api/v1/openapi.json is not web/openapi.json (rebuild kho)");
  }
  await check("alive", "GET", "/healthz", "/healthz", {}, 200);

  // Searching and browsing.
  const S = "/api/v1/search";
  await check("unaccented, with facets", "GET", S, `${S}?q=tot%20nghiep&facets=1`, {}, 200);
  await check("newest first, second page", "GET", S, `${S}?q=giao%20duc&sort=newest&per_page=1&page=2`, {}, 200);
  await check("a document number, filtered", "GET", S, `${S}?q=44%2FKH-PGD%C4%90T&kind=admin-doc,other`, {}, 200);
  await check("misspelt, with a suggestion", "GET", S, `${S}?q=chuyen%20doi%20sô`, {}, 200);
  await check("per_page out of range", "GET", S, `${S}?q=sach&per_page=0`, {}, 400);
  await check("a malformed query", "GET", S, `${S}?q=(toan`, {}, 400);
  await check("browse: no q", "GET", S, S, {}, 200);
  await check("browse: by kind, with facets", "GET", S, `${S}?kind=admin-doc&facets=1`, {}, 200);

  // Records, their pages and files, anonymously (the samples are public).
  for (const [file, id] of Object.entries(library.records))
    await check(file, "GET", "/api/v1/records/{id}", `/api/v1/records/${id}`, {}, 200);
  await check("no such record", "GET", "/api/v1/records/{id}", "/api/v1/records/999999", {}, 404);
  await check("matching pages", "GET", "/api/v1/records/{id}/search", `/api/v1/records/${plan}/search?q=chuyen%20doi%20so`, {}, 200);
  await check("no q", "GET", "/api/v1/records/{id}/search", `/api/v1/records/${plan}/search`, {}, 400);
  await check("the PDF", "GET", "/api/v1/records/{id}/file", `/api/v1/records/${plan}/file`, {}, 200);
  await check("a byte range", "GET", "/api/v1/records/{id}/file", `/api/v1/records/${plan}/file`,
              { headers: { Range: "bytes=0-99" } }, 206);
  await check("a range past the end", "GET", "/api/v1/records/{id}/file", `/api/v1/records/${plan}/file`,
              { headers: { Range: "bytes=99999999-" } }, 416);

  // Signing in.
  await check("anonymous", "GET", "/api/v1/me", "/api/v1/me", {}, 200);
  await check("no password", "POST", "/api/v1/login", "/api/v1/login", { body: { name: librarian.name } }, 400);
  await check("a wrong password", "POST", "/api/v1/login", "/api/v1/login",
              { body: { name: librarian.name, password: "sai-mat-khau" } }, 401);
  const lib = (await check("a librarian", "POST", "/api/v1/login", "/api/v1/login",
                           { body: { name: librarian.name, password: librarian.password } }, 200)).json?.token;
  const adm = (await check("an admin", "POST", "/api/v1/login", "/api/v1/login",
                           { body: { name: admin.name, password: admin.password } }, 200)).json?.token;
  assert.ok(lib && adm, "signing in gave no token");
  await check("signed in", "GET", "/api/v1/me", "/api/v1/me", { token: lib }, 200);
  await check("a bad token", "GET", "/api/v1/me", "/api/v1/me", { token: "khos_nonsense" }, 401);

  // Uploads, whole and resumable.
  const note = new TextEncoder().encode("Biên bản họp tổ chuyên môn Toán, tháng 9 năm 2023: thống nhất kế hoạch dạy học.\n");
  const R = "/api/v1/records";
  await check("anonymous", "POST", R, `${R}?filename=bien-ban.txt`, { body: note }, 401);
  await check("no filename", "POST", R, R, { token: lib, body: note }, 400);
  await check("a new file", "POST", R, `${R}?filename=bien-ban.txt&visibility=school&subject=To%C3%A1n`, { token: lib, body: note }, 201);
  await check("the same bytes again", "POST", R, `${R}?filename=bien-ban-2.txt`, { token: lib, body: note }, 200);
  const big = new TextEncoder().encode("Sổ theo dõi mượn sách thư viện năm học 2023-2024.\n".repeat(40));
  const U = "/api/v1/uploads";
  await check("no Upload-Length", "POST", U, `${U}?filename=so-muon-sach.txt`, { token: lib }, 400);
  const started = await check("a resumable upload", "POST", U, `${U}?filename=so-muon-sach.txt&visibility=school`,
                              { token: lib, headers: { "Upload-Length": String(big.length) } }, 201);
  const chunk = `${U}/${started.json?.id}`;
  const half = Math.floor(big.length / 2);
  const octets = { "Content-Type": "application/offset+octet-stream" };
  await check("the first half", "PATCH", "/api/v1/uploads/{upload_id}", chunk,
              { token: lib, headers: { ...octets, "Upload-Offset": "0" }, body: big.slice(0, half) }, 204);
  await check("where it is", "HEAD", "/api/v1/uploads/{upload_id}", chunk, { token: lib }, 200);
  await check("from the wrong offset", "PATCH", "/api/v1/uploads/{upload_id}", chunk,
              { token: lib, headers: { ...octets, "Upload-Offset": "0" }, body: big.slice(0, 10) }, 409);
  await check("the last half", "PATCH", "/api/v1/uploads/{upload_id}", chunk,
              { token: lib, headers: { ...octets, "Upload-Offset": String(half) }, body: big.slice(half) }, 201);

  // Editing, withdrawing, history (another branch adds these routes).
  const id = `/api/v1/records/${decision}`;
  await check("correct the title", "PATCH", "/api/v1/records/{id}", id,
              { token: adm, body: { fields: { title: "Quyết định công nhận tốt nghiệp THCS năm học 2022-2023" } } }, 200);
  await check("a bad date", "PATCH", "/api/v1/records/{id}", id,
              { token: adm, body: { fields: { date: "31/02/2023" } } }, 400);
  await check("withdraw", "POST", "/api/v1/records/{id}/withdraw", `${id}/withdraw`,
              { token: adm, body: { reason: "ban hành nhầm" } }, 200);
  await check("reinstate", "POST", "/api/v1/records/{id}/reinstate", `${id}/reinstate`,
              { token: adm, body: { reason: "ban hành lại đúng" } }, 200);
  await check("history", "GET", "/api/v1/records/{id}/history", `${id}/history`, { token: adm }, 200);

  // Share links.
  const made = await check("share for 3 days", "POST", "/api/v1/records/{id}/shares", `${id}/shares?days=3`, { token: adm }, 201);
  await check("anonymous", "POST", "/api/v1/records/{id}/shares", `${id}/shares`, {}, 401);
  const secret = made.json?.url?.replace(/^\/s\//, "");
  assert.ok(secret, "no share link was made");
  const asJson = { headers: { Accept: "application/json" } };
  await check("opened", "GET", "/s/{secret}", `/s/${secret}`, asJson, 200);
  await check("its file", "GET", "/s/{secret}/file", `/s/${secret}/file`, {}, 200);
  await check("as JSON", "GET", "/api/v1/shared/{secret}", `/api/v1/shared/${secret}`, {}, 200);
  await check("a record's links", "GET", "/api/v1/records/{id}/shares", `${id}/shares`, { token: adm }, 200);
  await check("my links", "GET", "/api/v1/shares", "/api/v1/shares", { token: adm }, 200);
  await check("a collection's link", "POST", "/api/v1/shares", "/api/v1/shares?collection=C%C3%B4ng%20v%C4%83n&days=30", { token: adm }, 201);
  await check("a collection's link, not an admin", "POST", "/api/v1/shares", "/api/v1/shares?collection=x", { token: lib }, 403);
  await check("a collection's link, no collection", "POST", "/api/v1/shares", "/api/v1/shares?days=3", { token: adm }, 400);
  await check("audit, filtered", "GET", "/api/v1/audit", "/api/v1/audit?action=share&from=2020-01-01&record=1", { token: adm }, 200);
  await check("audit, not a day", "GET", "/api/v1/audit", "/api/v1/audit?to=yesterday", { token: adm }, 400);
  await check("revoke", "DELETE", "/api/v1/shares/{share_id}", `/api/v1/shares/${made.json?.id}`, { token: adm }, 200);
  await check("revoked", "GET", "/s/{secret}", `/s/${secret}`, asJson, 404);

  // The audit log.
  await check("an admin", "GET", "/api/v1/audit", "/api/v1/audit?limit=5", { token: adm }, 200);
  await check("not an admin", "GET", "/api/v1/audit", "/api/v1/audit", { token: lib }, 403);
  await check("anonymous", "GET", "/api/v1/audit", "/api/v1/audit", {}, 401);
  await check("limit out of range", "GET", "/api/v1/audit", "/api/v1/audit?limit=0", { token: adm }, 400);

  // The graduation register, kept by the office clerk; verification, by anyone.
  const off = (await check("an office clerk", "POST", "/api/v1/login", "/api/v1/login",
                           { body: { name: clerk.name, password: clerk.password } }, 200)).json?.token;
  assert.ok(off, "the office clerk could not sign in");
  await check("an office clerk's roles", "GET", "/api/v1/me", "/api/v1/me", { token: off }, 200);
  const RR = "/api/v1/register/registers";
  await check("anonymous", "GET", RR, RR, {}, 401);
  await check("none yet", "GET", RR, RR, { token: off }, 200);
  await check("not a year", "POST", RR, RR, { token: off, body: { level: "THCS", year: 1066 } }, 400);
  await check("a teacher's school, by a librarian", "POST", RR, RR, { token: lib, body: { org: "THCS-MT", level: "THCS", year: 2023 } }, 403);
  const reg = (await check("THCS 2023", "POST", RR, RR, { token: off, body: { level: "THCS", year: 2023, scan: plan } }, 201)).json;
  await check("one", "GET", RR, RR, { token: off }, 200);
  const sheet = "Họ và tên;Ngày sinh;Số hiệu bằng;Số vào sổ cấp bằng;Trường\n" +
    "Trần Thị Hương;12/05/2008;A-0001;1;THCS Mỹ Thành\nNguyễn Văn An;31/02/2008;A-0002;2;THCS Mỹ Thành\n";
  const imported = (await check("a CSV sheet, one row refused", "POST", "/api/v1/register/registers/{id}/import",
                                `${RR}/${reg?.id}/import`, { token: off, body: sheet }, 200)).json;
  assert.equal(imported?.refused?.length, 1, `the import: ${JSON.stringify(imported)}`);
  await check("no header row", "POST", "/api/v1/register/registers/{id}/import", `${RR}/${reg?.id}/import`,
              { token: off, body: "a;b;c\n1;2;3\n" }, 400);
  await check("no such register", "POST", "/api/v1/register/registers/{id}/import", `${RR}/999999/import`,
              { token: off, body: sheet }, 404);
  const typed = (await check("typed by staff", "POST", "/api/v1/register/registers/{id}/entries", `${RR}/${reg?.id}/entries`,
                             { token: off, body: { fields: { full_name: "Lê Minh Đức", birth_date: "03/11/2008", serial: "A-0003", entry_number: "3" } } }, 201)).json;
  await check("a serial number twice", "POST", "/api/v1/register/registers/{id}/entries", `${RR}/${reg?.id}/entries`,
              { token: off, body: { fields: { full_name: "Lê Minh Đức", birth_date: "03/11/2008", serial: "A-0003" } } }, 409);
  await check("a date that does not exist", "POST", "/api/v1/register/registers/{id}/entries", `${RR}/${reg?.id}/entries`,
              { token: off, body: { fields: { full_name: "Phạm Thu", birth_date: "30/02/2008" } } }, 400);
  const RE = "/api/v1/register/entries";
  const purpose = "purpose=ki%E1%BB%83m%20tra";
  await check("a name without diacritics", "GET", RE, `${RE}?name=tran%20thi%20huong&year=2023&${purpose}`, { token: off }, 200);
  await check("no purpose", "GET", RE, `${RE}?name=tran`, { token: off }, 400);
  await check("anonymous", "GET", RE, `${RE}?name=tran&${purpose}`, {}, 401);
  const first = imported?.entries?.[0];
  await check("an entry", "GET", "/api/v1/register/entries/{id}", `${RE}/${first}?${purpose}`, { token: off }, 200);
  await check("no such entry", "GET", "/api/v1/register/entries/{id}", `${RE}/999999?${purpose}`, { token: off }, 404);
  const copy = (await check("a copy", "POST", "/api/v1/register/entries/{id}/copies", `${RE}/${first}/copies`,
                            { token: off, body: { requester: "Trần Thị Hương", purpose: "nộp hồ sơ" } }, 201)).json;
  await check("no requester", "POST", "/api/v1/register/entries/{id}/copies", `${RE}/${first}/copies`,
              { token: off, body: { purpose: "nộp hồ sơ" } }, 400);
  await check("the register of copies", "GET", "/api/v1/register/copies", "/api/v1/register/copies", { token: off }, 200);
  await check("a copy's PDF", "GET", "/api/v1/register/copies/{number}/pdf", `/api/v1/register/copies/${copy?.number}/pdf`, { token: off }, 200);
  await check("no such copy", "GET", "/api/v1/register/copies/{number}/pdf", "/api/v1/register/copies/999/pdf", { token: off }, 404);
  await check("the public keys", "GET", "/api/v1/register/keys", "/api/v1/register/keys", {}, 200);
  const ruling = { number: "12/QĐ-PGDĐT", date: "15/10/2023", signer: "Nguyễn Văn Bình", reason: "ghi nhầm" };
  await check("corrected", "POST", "/api/v1/register/entries/{id}/corrections", `${RE}/${first}/corrections`,
              { token: off, body: { decision: ruling, set: { birth_place: "Mỹ Thành" } } }, 200);
  await check("no decision", "POST", "/api/v1/register/entries/{id}/corrections", `${RE}/${first}/corrections`,
              { token: off, body: { set: { birth_place: "Mỹ Thành" } } }, 400);
  await check("revoked", "POST", "/api/v1/register/entries/{id}/revocation", `${RE}/${typed?.id}/revocation`,
              { token: off, body: { decision: ruling } }, 200);
  await check("a revoked entry's copy", "POST", "/api/v1/register/entries/{id}/copies", `${RE}/${typed?.id}/copies`,
              { token: off, body: { requester: "Lê Minh Đức", purpose: "nộp hồ sơ" } }, 409);
  const V = "/api/v1/verify";
  await check("a serial number", "GET", V, `${V}?serial=A-0001&year=2023&birth_date=12%2F05%2F2008`, {}, 200);
  await check("not a year", "GET", V, `${V}?serial=A-0001&year=abc&birth_date=12%2F05%2F2008`, {}, 400);
  await check("a copy's code", "POST", V, V, { body: { code: copy?.code } }, 200);
  await check("a tampered code", "POST", V, V, { body: { code: "http://x/verify#e30.AAAA" } }, 200);
  await check("the verification page", "GET", "/verify", "/verify", {}, 200);

  // Statistics: a visitor's and a librarian's counts, and their exports.
  const ST = "/api/v1/stats";
  await check("a visitor's counts", "GET", ST, `${ST}?by=school,kind,year`, {}, 200);
  await check("a librarian's, filtered", "GET", ST, `${ST}?by=kind,language&q=kind%3Abook`, { token: lib }, 200);
  await check("as CSV", "GET", ST, `${ST}?by=kind&format=csv`, { token: lib }, 200);
  await check("per month, as CSV", "GET", ST, `${ST}?format=csv&monthly=1`, {}, 200);
  await check("as XLSX", "GET", ST, `${ST}?by=school,kind&format=xlsx`, { token: lib }, 200);
  await check("not a dimension", "GET", ST, `${ST}?by=colour`, {}, 400);
  // Lesson-plan approval: the sample plan was imported by the CLI, a draft of no account's.
  const lesson = library.records["khbd-toan-6-phan-so.html"];
  const A = `/api/v1/records/${lesson}/approval`;
  await check("a plan's approval", "GET", "/api/v1/records/{id}/approval", A, {}, 200);
  await check("not a lesson plan", "GET", "/api/v1/records/{id}/approval", `/api/v1/records/${plan}/approval`, {}, 404);
  await check("anonymous", "POST", "/api/v1/records/{id}/approval", A, { body: { action: "submit" } }, 401);
  await check("submitted by the school's admin", "POST", "/api/v1/records/{id}/approval", A, { token: adm, body: { action: "submit" } }, 200);
  await check("approved by no group head", "POST", "/api/v1/records/{id}/approval", A, { token: adm, body: { action: "approve" } }, 403);
  await check("waiting for an admin", "GET", "/api/v1/approvals", "/api/v1/approvals?waiting=me", { token: adm }, 200);
  await check("the school's settings", "GET", "/api/v1/schools/{code}/approval", `/api/v1/schools/${SCHOOL.code}/approval`, { token: adm }, 200);
  await check("two steps", "PUT", "/api/v1/schools/{code}/approval", `/api/v1/schools/${SCHOOL.code}/approval`,
              { token: adm, body: { two_step: true } }, 200);

  await check("OAI-PMH", "GET", "/oai", "/oai?verb=Identify", {}, 200);
  await check("OAI-PMH, a form", "POST", "/oai", "/oai",
              { body: "verb=ListSets", headers: { "Content-Type": "application/x-www-form-urlencoded" } }, 200);
  await check("the application", "GET", "/", "/", {}, 200);
  await check("its script", "GET", "/app/{name}", "/app/app.js", {}, 200);
  await check("its styles", "GET", "/app/{name}", "/app/app.css", {}, 200);
  await check("no such file", "GET", "/app/{name}", "/app/nothing.js", {}, 404);
  await check("sign out", "POST", "/api/v1/logout", "/api/v1/logout", { token: lib }, 200);
} catch (err) {
  failed++;
  console.log(`FAILED: ${err.stack || err}`);
} finally {
  await cleanupAll();
}
const uncalled = Object.entries(described.paths).flatMap(([route, item]) =>
  Object.keys(item).filter((m) => m !== "parameters" && !called.has(`${m} ${route}`)).map((m) => `${m.toUpperCase()} ${route}`));
if (uncalled.length) console.log(`note: described but not called here: ${uncalled.join(", ")}`);
console.log(`${passed} answers match web/openapi.json, ${failed} failed`);
if (problems.length) console.log(`failures:\n  ${problems.join("\n  ")}`);
process.exit(failed ? 1 : 0);
