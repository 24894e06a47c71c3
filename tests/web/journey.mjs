// Runs browser journeys (tests/web/journeys/*.mjs) against a real kho:
//   node tests/web/journey.mjs [--kho build/kho] [--modules build/tests/web]
//        [--out DIR] journeys/search.mjs [more.mjs …]
// Each journey file exports `default async function (ctx)` and throws (e.g.
// with node:assert) when the page misbehaves. Each file gets its own library,
// server and browser; a failure leaves a full-page screenshot in --out.
import { readFileSync } from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";
import {
  ACCOUNTS, SCHOOL, api, cleanupAll, launchBrowser, makeLibrary, parseArgs,
  requireFrom, runKho, startServer, watchdog,
} from "./lib/harness.mjs";

const options = parseArgs();
const require = requireFrom(options.modules);
watchdog(90);

// What a journey is given. Selectors live in the journeys, not here: the
// page changes, the harness should not have to.
function makeContext({ page, baseUrl, library, name }) {
  const ctx = {
    page,
    baseUrl,
    // ctx.accounts.librarian -> { name, password, role }, made on first use.
    accounts: new Proxy(ACCOUNTS, { get: (_, role) => library.account(role) }),
    school: SCHOOL,
    records: library.records,  // sample file name -> record id
    out: options.out,
    log: (...args) => console.log(`  ${name}:`, ...args),
    // The CLI on this library: ctx.kho("show", "2", "--json") -> stdout.
    kho: (...args) => runKho(options.kho, ["--data", library.data, ...args]),
    api: (route, init) => api(baseUrl, route, init),
    // Signs in through the page's own form (#/login), as a person would.
    async signIn(accountName, password) {
      await page.getByRole("link", { name: "Đăng nhập" }).click();
      await page.getByLabel("Tên đăng nhập").fill(accountName);
      await page.getByLabel("Mật khẩu").fill(password);
      await page.locator("form#login").getByRole("button", { name: "Đăng nhập" }).click();
      await page.getByText(`Đã đăng nhập: ${accountName}`).waitFor({ timeout: 5000 });
    },
    // Opens an address of the application ("#/r/12?q=…") as a fresh load
    // and waits until it has settled (no request for half a second).
    async open(address) {
      await page.goto("about:blank");
      await page.goto(ctx.baseUrl + "/" + address, { waitUntil: "networkidle" });
    },
    // Searches with the page's own box; resolves once the address holds the
    // query (#/search?q=…) and its answer is shown: the results' titles.
    async search(q) {
      await page.getByRole("searchbox").fill(q);
      await page.getByRole("button", { name: "Tìm kiếm" }).click();
      await page.waitForFunction((q) =>
        new URLSearchParams(location.hash.split("?")[1] || "").get("q") === q &&
        (document.querySelector("#results > li") || /lỗi|không/i.test(document.querySelector("#status")?.textContent || "")), q);
      return page.locator("#results > li .title").allTextContents();
    },
    // A screenshot kept in the output folder (for the README, or to look at).
    async screenshot(label) {
      const file = path.join(options.out, `${name}-${label}.png`);
      await page.screenshot({ path: file, fullPage: true });
      console.log(`  screenshot: ${file}`);
      return file;
    },
    // No horizontal scrolling at the page's current width.
    async checkNoHorizontalScroll(label) {
      const { width, scroll, widest } = await page.evaluate(() => {
        const width = window.innerWidth;
        // The culprit: the innermost element that sticks out.
        const over = [...document.querySelectorAll("body *")]
          .filter((e) => e.getBoundingClientRect().right > width + 0.5);
        const e = over.find((o) => !over.some((d) => d !== o && o.contains(d)));
        const widest = e ? `${e.tagName.toLowerCase()}${e.id ? "#" + e.id : ""}` +
          `${e.className ? "." + String(e.className).split(" ").join(".") : ""} ` +
          `("${(e.textContent || "").trim().slice(0, 40)}") ends at ${Math.round(e.getBoundingClientRect().right)} px` : "";
        return { width, scroll: document.documentElement.scrollWidth, widest };
      });
      if (scroll > width)
        throw new Error(`${label}: the page is ${scroll} px wide in a ${width} px window (${widest || "no element found"})`);
      ctx.log(`${label}: ${scroll} px wide in a ${width} px window`);
    },
    // axe-core on the page as it is now: no serious or critical violation.
    async checkAxe(label) {
      if (!(await page.evaluate(() => "axe" in window)))  // once per page load
        await page.addScriptTag({ content: readFileSync(require.resolve("axe-core/axe.min.js"), "utf8") });
      const result = await page.evaluate(() =>
        window.axe.run(document, { resultTypes: ["violations"] }));
      const bad = result.violations.filter((v) => v.impact === "serious" || v.impact === "critical");
      const minor = result.violations.filter((v) => !bad.includes(v)).map((v) => `${v.impact} ${v.id}`);
      if (bad.length) {
        const lines = bad.map((v) => `  ${v.impact}: ${v.id} (${v.help}): ` +
          v.nodes.slice(0, 5).map((n) => n.target.join(" ")).join(", "));
        throw new Error(`${label}: axe-core found ${bad.length} serious or critical violation(s):\n${lines.join("\n")}`);
      }
      ctx.log(`${label}: axe-core ${result.testEngine.version}: no serious or critical violation` +
              (minor.length ? ` (also ${minor.join(", ")})` : ""));
    },
  };
  return ctx;
}

async function runJourney(file, browser) {
  const name = path.basename(file, ".mjs");
  const started = Date.now();
  const library = makeLibrary(options.kho);
  const server = await startServer(options.kho, library.data);
  const ready = Date.now();
  const context = await browser.newContext({ locale: "vi-VN", viewport: { width: 1280, height: 800 } });
  const page = await context.newPage();
  const pageErrors = [];
  page.on("pageerror", (err) => pageErrors.push(err.message));
  page.setDefaultTimeout(5000);
  const journey = (await import(pathToFileURL(path.resolve(file)))).default;
  try {
    await journey(makeContext({ page, baseUrl: server.baseUrl, library, name }));
    if (pageErrors.length) throw new Error(`the page threw: ${pageErrors.join("; ")}`);
    const seconds = (t) => ((t - started) / 1000).toFixed(1);
    console.log(`ok: ${name} (${seconds(Date.now())} s, of which ${seconds(ready)} s making the library and starting kho)`);
    return true;
  } catch (err) {
    console.log(`FAILED: ${name}: ${err.stack || err}`);
    if (pageErrors.length) console.log(`  the page threw: ${pageErrors.join("; ")}`);
    const shot = path.join(options.out, `${name}-failure.png`);
    try {
      await page.screenshot({ path: shot, fullPage: true });
      console.log(`  screenshot of the failure: ${shot}`);
    } catch (e) {
      console.log(`  no screenshot: ${e.message}`);
    }
    const log = server.log().trim();
    if (log) console.log(`  kho serve's log:\n${log.replace(/^/gm, "    ")}`);
    return false;
  } finally {
    await context.close();
  }
}

let failed = 0;
try {
  if (!options.rest.length) throw new Error("name the journey files to run");
  const browser = await launchBrowser(require);
  for (const file of options.rest) if (!(await runJourney(file, browser))) failed++;
} catch (err) {
  console.log(`FAILED: ${err.stack || err}`);
  failed++;
} finally {
  await cleanupAll();
}
process.exit(failed ? 1 : 0);
