// web/openapi.json is a valid OpenAPI 3.1 description (swagger-parser checks
// it against the OpenAPI schema and resolves every $ref), and each route it
// describes is one api/server.cc registers, and back.
//   node tests/web/openapi-valid.mjs [--modules build/tests/web]
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import path from "node:path";
import { SOURCE_DIR, parseArgs, requireFrom } from "./lib/harness.mjs";

const options = parseArgs();
const require = requireFrom(options.modules);
const SwaggerParser = require("@apidevtools/swagger-parser");

const file = path.join(SOURCE_DIR, "web/openapi.json");
try {
  const api = await SwaggerParser.validate(file);
  assert.equal(api.openapi.slice(0, 4), "3.1.", `openapi is ${api.openapi}, not 3.1`);
  const described = Object.keys(api.paths).sort();
  // The routing table: route("/api/v1/…", …) calls in api/server.cc.
  const server = readFileSync(path.join(SOURCE_DIR, "api/server.cc"), "utf8");
  const routed = [...server.matchAll(/\broute\("([^"]+)"/g)]
    .map((m) => m[1].replace(/:([a-z_]+)/g, "{$1}"))
    .sort();
  const normal = (p) => p.replace(/\{[^}]+\}/g, "{}");
  const missing = routed.filter((r) => !described.some((d) => normal(d) === normal(r)));
  assert.deepEqual(missing, [], `routes in api/server.cc that web/openapi.json does not describe: ${missing.join(", ")}`);
  const unrouted = described.filter((d) => !routed.some((r) => normal(d) === normal(r)));
  if (unrouted.length)
    console.log(`note: described but not (yet) in api/server.cc's routing table: ${unrouted.join(", ")}`);
  const operations = described.reduce((n, p) => n + Object.keys(api.paths[p]).filter((k) => k !== "parameters").length, 0);
  console.log(`ok: ${file} is valid OpenAPI ${api.openapi}: ${described.length} paths, ${operations} operations, ` +
              `${Object.keys(api.components.schemas).length} schemas`);
} catch (err) {
  console.log(`FAILED: ${err.message}`);
  process.exit(1);
}
