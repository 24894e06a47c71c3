// What every web test needs: the built kho, a real library in a temporary
// folder (samples/ imported, one account per role), a real `kho serve` on a
// loopback port, and the promise that nothing is left running afterwards.
import { spawn, spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

export const SOURCE_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../..");

// Command line: --kho BINARY --modules DIR (where `npm ci` put node_modules)
// --out DIR (screenshots, logs), then the rest. The defaults suit a run by
// hand from the source tree after `make test` has built and installed once.
export function parseArgs(argv = process.argv.slice(2)) {
  const options = {
    kho: process.env.KHO_BINARY || path.join(SOURCE_DIR, "build/kho"),
    modules: process.env.KHO_WEB_MODULES || path.join(SOURCE_DIR, "build/tests/web"),
    out: process.env.KHO_WEB_OUTPUT || path.join(SOURCE_DIR, "build/tests/web/output"),
    rest: [],
  };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i].replace(/^--/, "");
    if (argv[i].startsWith("--") && flag in options && flag !== "rest") options[flag] = argv[++i];
    else options.rest.push(argv[i]);
  }
  options.out = path.resolve(options.out);
  mkdirSync(options.out, { recursive: true });
  return options;
}

// The npm packages live in the build tree (installed from the lock file by
// ctest's 'web: npm ci'), not beside these scripts.
export function requireFrom(modulesDir) {
  const require = createRequire(path.join(path.resolve(modulesDir), "package.json"));
  const explain = (name, err) =>
    new Error(`${name} is not installed in ${modulesDir} (run ctest -R 'web: npm ci'): ${err.message}`);
  const load = (name) => {
    try {
      return require(name);
    } catch (err) {
      throw explain(name, err);
    }
  };
  load.resolve = (name) => {
    try {
      return require.resolve(name);
    } catch (err) {
      throw explain(name, err);
    }
  };
  return load;
}

// --- Everything started here is stopped here, on success, failure or signal.

const running = new Set();  // child processes, each leading its own process group
const cleanups = [];        // async clean-ups, run last-in first-out

export function onCleanup(fn) {
  cleanups.push(fn);
}

export async function cleanupAll() {
  while (cleanups.length) {
    const fn = cleanups.pop();
    try {
      await fn();
    } catch (err) {
      console.error(`clean-up failed: ${err.message}`);
    }
  }
}

// The last resort when node exits without the async clean-up (an uncaught
// error, process.exit): only synchronous calls work here.
process.on("exit", () => {
  for (const child of running) {
    try {
      process.kill(-child.pid, "SIGKILL");
    } catch {
      /* already gone */
    }
  }
});
for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"]) {
  process.on(signal, async () => {
    console.error(`${signal}: stopping`);
    await cleanupAll();
    process.exit(1);
  });
}

// Ends the whole run (and everything it started) if it hangs, before
// ctest's own timeout would kill node and orphan the server.
export function watchdog(seconds) {
  const timer = setTimeout(async () => {
    console.error(`FAILED: the run took more than ${seconds} s`);
    await cleanupAll();
    process.exit(1);
  }, seconds * 1000);
  timer.unref();
}

// Stops a child's process group: SIGTERM, then SIGKILL if it lingers.
async function stopGroup(child, graceMs = 5000) {
  const exited = child.exitCode !== null || child.signalCode !== null
    ? Promise.resolve()
    : new Promise((resolve) => child.once("exit", resolve));
  try {
    process.kill(-child.pid, "SIGTERM");
  } catch {
    /* already gone */
  }
  const timeout = new Promise((resolve) => setTimeout(() => resolve("timeout"), graceMs));
  if ((await Promise.race([exited, timeout])) === "timeout") {
    console.error(`pid ${child.pid} did not stop on SIGTERM: killed`);
    try {
      process.kill(-child.pid, "SIGKILL");
    } catch {
      /* gone meanwhile */
    }
    await exited;
  }
  // Its workers (kho _assist) are in its group: wait for them too.
  for (let i = 0; i < 50 && groupAlive(child.pid); i++) await new Promise((r) => setTimeout(r, 100));
  if (groupAlive(child.pid)) {
    console.error(`kho's process group ${child.pid} outlived it: killed`);
    try {
      process.kill(-child.pid, "SIGKILL");
    } catch {
      /* gone meanwhile */
    }
  }
  running.delete(child);
}

// --- A library made with the CLI, as a school would make one.

export const SCHOOL = { code: "THCS-MT", name: "Trường THCS Mỹ Thành" };
// One account per role at the school; passwords long enough for any policy.
export const ACCOUNTS = {
  admin: { name: "hieutruong", password: "mat-khau-admin-1", role: "admin" },
  librarian: { name: "lan", password: "mat-khau-thu-vien-1", role: "librarian" },
  teacher: { name: "hang", password: "mat-khau-giao-vien-1", role: "teacher" },
  office: { name: "minh", password: "mat-khau-van-thu-1", role: "office" },
  // The head of the subject group the sample lesson plan names ("Tổ: Khoa học tự nhiên").
  groupHead: { name: "tuan", password: "mat-khau-to-truong-1", role: "group_head:Khoa học tự nhiên" },
};

// Runs the CLI on a library; returns its standard output, throws on failure.
export function runKho(kho, args, input) {
  const r = spawnSync(kho, args, { input, encoding: "utf8", timeout: 60000 });
  if (r.error) throw new Error(`kho ${args.join(" ")}: ${r.error.message}`);
  if (r.status !== 0)
    throw new Error(`kho ${args.join(" ")} exited ${r.status}: ${r.stderr.trim() || r.stdout.trim()}`);
  return r.stdout;
}

// A new library: the school and samples/ imported as public. Accounts are
// made when first asked for (library.account("teacher")): each costs a
// password hash, about half a second.
export function makeLibrary(kho) {
  const dir = mkdtempSync(path.join(os.tmpdir(), "kho-web-"));
  onCleanup(() => rmSync(dir, { recursive: true, force: true }));
  const data = path.join(dir, "data");
  const cli = (args, input) => runKho(kho, ["--data", data, ...args], input);
  cli(["init"]);
  cli(["school", "add", SCHOOL.code, SCHOOL.name]);
  const made = new Set();
  const account = (role) => {
    const a = ACCOUNTS[role];
    if (!a) throw new Error(`no account for role ${role}: ${Object.keys(ACCOUNTS).join(", ")}`);
    if (!made.has(role)) cli(["user", "add", a.name, "--role", `${SCHOOL.code}=${a.role}`], a.password + "\n");
    made.add(role);
    return a;
  };
  const samples = readdirSync(path.join(SOURCE_DIR, "samples"))
    .filter((f) => f !== "README.md")
    .map((f) => path.join(SOURCE_DIR, "samples", f));
  const report = JSON.parse(
    cli(["import", "--json", "--visibility", "public", "--school", SCHOOL.code, ...samples]));
  if (report.failed.length) throw new Error(`samples failed to import: ${JSON.stringify(report.failed)}`);
  // By file name: { "ke-hoach-44-KH-PGDDT.pdf": 1, … }
  const records = Object.fromEntries(report.imported.map((r) => [path.basename(r.path), r.id]));
  return { dir, data, cli, records, account };
}

// `kho serve` on a free loopback port (port 0: the kernel picks; kho prints
// the address it got). Resolves once /healthz answers.
export async function startServer(kho, data, logPath) {
  const child = spawn(kho, ["--data", data, "serve", "--listen", "127.0.0.1:0", "--verify-every", "0"],
                      { detached: true, stdio: ["ignore", "pipe", "pipe"] });
  running.add(child);
  onCleanup(() => stopGroup(child));
  let log = "";
  child.stderr.on("data", (d) => (log += d));
  const baseUrl = await new Promise((resolve, reject) => {
    let out = "";
    const timer = setTimeout(() => reject(new Error(`kho serve did not start in 10 s: ${out}${log}`)), 10000);
    child.stdout.on("data", (d) => {
      out += d;
      const m = /kho serving .* on (http:\/\/\S+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    });
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`kho serve exited ${code}: ${out}${log}`));
    });
  });
  for (let i = 0; ; i++) {
    const ok = await fetch(baseUrl + "/healthz").then((r) => r.ok, () => false);
    if (ok) break;
    if (i === 100) throw new Error(`${baseUrl}/healthz did not answer in 10 s`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return { baseUrl, log: () => log, child };
}

// Process groups of this process's children (Linux /proc), by pid.
function childGroups() {
  const groups = new Map();
  for (const pid of readdirSync("/proc").filter((d) => /^\d+$/.test(d))) {
    try {
      // pid (comm) state ppid pgrp …: comm may hold spaces, so split after ')'.
      const [, ppid, pgrp] = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1].split(" ");
      if (Number(ppid) === process.pid) groups.set(Number(pid), Number(pgrp));
    } catch {
      /* gone meanwhile */
    }
  }
  return groups;
}

function groupAlive(pgrp) {
  try {
    process.kill(-pgrp, 0);  // zombies count: they are gone only once reaped
    return true;
  } catch {
    return false;
  }
}

// Debian's chromium, headless, through playwright-core (no browser download).
// Playwright starts it in its own process group; closing waits until every
// process of that group is gone, zombie helpers reaped by init included, so
// that nothing named chromium outlives the test.
export async function launchBrowser(require) {
  const { chromium } = require("playwright-core");
  // Root gets no sandbox (chromium refuses it); then no zygote either, so
  // its helpers are the browser's own children, gone with it.
  const args = process.getuid && process.getuid() === 0 ? ["--no-sandbox", "--no-zygote"] : [];
  const before = childGroups();
  const browser = await chromium.launch({
    executablePath: process.env.KHO_CHROMIUM || "/usr/bin/chromium",
    headless: true,
    args,
  });
  const groups = [...childGroups()].filter(([pid]) => !before.has(pid)).map(([, pgrp]) => pgrp);
  onCleanup(async () => {
    await browser.close();
    for (let i = 0; i < 50 && groups.some(groupAlive); i++) await new Promise((r) => setTimeout(r, 100));
    for (const g of groups.filter(groupAlive)) {
      console.error(`chromium's process group ${g} outlived the browser: killed`);
      try {
        process.kill(-g, "SIGKILL");
      } catch {
        /* gone meanwhile */
      }
    }
  });
  return browser;
}

// JSON over HTTP, as a script would call the API.
export async function api(baseUrl, route, { method = "GET", body, token, headers = {} } = {}) {
  const h = { ...headers };
  if (token) h.Authorization = `Bearer ${token}`;
  let payload = body;
  if (body !== undefined && typeof body !== "string" && !(body instanceof Uint8Array)) {
    h["Content-Type"] = "application/json";
    payload = JSON.stringify(body);
  }
  const res = await fetch(baseUrl + route, { method, headers: h, body: payload });
  const text = await res.text();
  let json;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.status, headers: res.headers, text, json };
}
