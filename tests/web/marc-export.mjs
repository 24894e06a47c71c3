// kho's MARC export read by a second, independent MARC reader: npm's marcjs
// (YAZ writes the export, so yaz-marcdump alone would be YAZ reading YAZ).
//   node tests/web/marc-export.mjs [--kho build/kho] [--modules build/tests/web]
// A MARC catalogue imported and exported again must give marcjs the same
// records as the file imported (ISO 2709 byte lengths and all); a sheet
// catalogue's records, built by kho, must parse with their fields in place.
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { Readable } from "node:stream";
import { SOURCE_DIR, cleanupAll, onCleanup, parseArgs, requireFrom, runKho, watchdog } from "./lib/harness.mjs";

const options = parseArgs();
const { Marc } = requireFrom(options.modules)("marcjs");
watchdog(60);

const fixture = (name) => path.join(SOURCE_DIR, "tests", "fixtures", name);

// Every record marcjs's streaming parser finds in the bytes.
function parse(bytes, type) {
  return new Promise((resolve, reject) => {
    const records = [];
    const parser = Marc.createStream(type, "Parser");
    parser.on("data", (r) => records.push({ leader: r.leader, fields: r.fields }));
    parser.on("end", () => resolve(records));
    parser.on("error", reject);
    Readable.from([bytes]).pipe(parser);
  });
}

// A library in a temporary folder with one catalogue file imported.
function libraryWith(file) {
  const dir = mkdtempSync(path.join(os.tmpdir(), "kho-marc-"));
  onCleanup(() => rmSync(dir, { recursive: true, force: true }));
  const data = path.join(dir, "data");
  runKho(options.kho, ["--data", data, "init"]);
  runKho(options.kho, ["--data", data, "import", "--school", "THCS-01", fixture(file)]);
  return (format) => {
    const out = path.join(dir, `export.${format}`);
    runKho(options.kho, ["--data", data, "export", "--format", format, "--output", out]);
    return readFileSync(out);
  };
}

// MARCXML's leader carries no record length or base address (positions 0-4, 12-16).
const withoutLengths = (leader) => leader.slice(5, 12) + leader.slice(17);

async function main() {
  const source = await parse(readFileSync(fixture("catalogue-utf8.mrc")), "Iso2709");
  assert.equal(source.length, 5, "marcjs reads the fixture's five records");

  for (const file of ["catalogue-utf8.mrc", "catalogue-marc8.mrc", "catalogue.marcxml"]) {
    const exported = libraryWith(file);
    const iso = await parse(exported("iso2709"), "Iso2709");
    assert.deepEqual(iso, source, `${file}: the ISO 2709 export is the catalogue imported`);
    const xml = await parse(exported("marcxml"), "Marcxml");
    assert.equal(xml.length, source.length, `${file}: the MARCXML export has every record`);
    xml.forEach((r, i) => {
      assert.deepEqual(r.fields, source[i].fields, `${file}: MARCXML record ${i + 1}'s fields`);
      assert.equal(withoutLengths(r.leader), withoutLengths(source[i].leader));
    });
    console.log(`  ${file}: ${iso.length} records read back by marcjs as imported`);
  }

  // A sheet's rows get MARC records kho builds: lengths right, UTF-8, fields in place.
  const bytes = libraryWith("danh-muc-sach.csv")("iso2709");
  const built = await parse(bytes, "Iso2709");
  assert.equal(built.length, 4, "four books (two rows are copies of one)");
  const total = built.reduce((n, r) => n + Number(r.leader.slice(0, 5)), 0);
  assert.equal(total, bytes.length, "each leader's record length adds up to the file");
  const subfield = (r, tag, code) => {
    const f = r.fields.find((x) => x[0] === tag);
    const at = f ? f.indexOf(code, 2) : -1;
    return at > 0 ? f[at + 1] : undefined;
  };
  assert.deepEqual(built.map((r) => subfield(r, "245", "a")), [
    "Truyện Kiều", "Dế Mèn phiêu lưu ký, bản đặc biệt", "Toán 6. Tập một", "Sổ tay thư viện trường học"]);
  assert.equal(subfield(built[0], "100", "a"), "Nguyễn Du");
  assert.equal(subfield(built[0], "020", "a"), "978-604-69-2714-3");
  assert.equal(subfield(built[0], "082", "a"), "895.9221");
  assert.equal(subfield(built[2], "264", "b"), "Giáo dục Việt Nam");
  for (const r of built) assert.equal(r.leader[9], "a", "leader/09 says UTF-8");
  console.log(`  danh-muc-sach.csv: ${built.length} built records read by marcjs`);
}

try {
  await main();
  console.log("marcjs reads kho's MARC export: passed");
} catch (err) {
  console.error(`FAILED: ${err.stack || err.message}`);
  process.exitCode = 1;
} finally {
  await cleanupAll();
  process.exit(process.exitCode ?? 0);
}
