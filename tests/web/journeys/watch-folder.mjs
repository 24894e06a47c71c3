// The scanner's folder seen by the school's admin: a `kho serve --watch`
// of its own (a library made here, the same binary), a scan and a broken
// file dropped into the folder; the admin page lists the first as imported,
// with a link to its record, and the second as failed with its reason.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { runKho, SCHOOL } from "../lib/harness.mjs";

const here = path.dirname(fileURLToPath(import.meta.url));

// `kho serve --watch DIR` on DATA; resolves with its address.
function serveWatching(kho, data, drop) {
  const child = spawn(kho, ["--data", data, "serve", "--listen", "127.0.0.1:0", "--verify-every", "0",
    "--watch", drop, "--watch-school", SCHOOL.code, "--watch-quiet", "0.3"], { stdio: ["ignore", "pipe", "pipe"] });
  // However the journey ends (a failure, the harness's watchdog), this server ends with it.
  const kill = () => child.kill("SIGKILL");
  process.on("exit", kill);
  let log = "";
  child.stderr.on("data", (d) => (log += d));
  const address = new Promise((resolve, reject) => {
    let out = "";
    child.stdout.on("data", (d) => {
      out += d;
      const m = /kho serving .* on (http:\/\/\S+)/.exec(out);
      if (m) resolve(m[1]);
    });
    child.once("exit", (code) => reject(new Error(`kho serve --watch exited ${code}: ${log}`)));
  });
  const stop = () => new Promise((resolve) => {
    if (child.exitCode !== null) return resolve();
    child.once("exit", resolve);
    child.kill("SIGTERM");
  }).then(() => process.off("exit", kill));
  return { address, stop, log: () => log };
}

export default async function (ctx) {
  const { page } = ctx;
  const kho = process.argv[process.argv.indexOf("--kho") + 1];
  const dir = mkdtempSync(path.join(os.tmpdir(), "kho-watch-web-"));
  const data = path.join(dir, "kho-data"), drop = path.join(dir, "may-quet");
  mkdirSync(path.join(drop, "lop-6"), { recursive: true });
  runKho(kho, ["--data", data, "init"]);
  runKho(kho, ["--data", data, "school", "add", SCHOOL.code, SCHOOL.name]);
  runKho(kho, ["--data", data, "user", "add", "hieu-pho", "--role", `${SCHOOL.code}=admin`], "mat-khau-hieu-pho\n");
  const server = serveWatching(kho, data, drop);
  try {
    ctx.baseUrl = await server.address;
    copyFileSync(path.join(here, "../../../samples/tin-cntt-ben-tre.txt"), path.join(drop, "lop-6", "tin-cntt.txt"));
    writeFileSync(path.join(drop, "hong.pdf"), "%PDF-1.4 cut short");
    await ctx.open("#/");
    await ctx.signIn("hieu-pho", "mat-khau-hieu-pho");
    // The page reads the folder when it opens: wait until both files are taken.
    for (let i = 0; ; i++) {
      await ctx.open("#/admin");
      const section = page.locator("section", { hasText: "Thư mục nhận tệp từ máy quét" });
      await section.waitFor();
      const counts = await section.locator(".watch-counts").textContent();
      if (/1 đã nhập/.test(counts) && /1 lỗi/.test(counts)) break;
      if (i === 50) throw new Error(`the watch folder's files were not taken: ${counts}\n${server.log()}`);
      await page.waitForTimeout(200);
    }
    const imported = page.locator("tr.watch-imported", { hasText: "lop-6/tin-cntt.txt" });
    assert.match(await imported.textContent(), /Đã nhập/);
    const failed = page.locator("tr.watch-failed", { hasText: "hong.pdf" });
    assert.match(await failed.textContent(), /Lỗi/);
    assert.ok((await failed.locator("td").last().textContent()).trim().length > 0, "the reason is shown");
    await ctx.checkAxe("the admin page with a watch folder");
    await ctx.screenshot("watch-folder");
    // The link leads to the record the file became.
    await imported.getByRole("link").click();
    await page.waitForFunction(() => /^#\/r\/\d+/.test(location.hash));
    await page.getByRole("heading", { level: 1, name: /Bến Tre/ }).waitFor();
  } finally {
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
