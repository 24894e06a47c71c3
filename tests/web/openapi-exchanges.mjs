// Every answer the C++ API tests received (tests/http.h appends each to the
// file KHO_API_EXCHANGES names) checked against web/openapi.json, so the
// description cannot drift from what the server does in any API test.
//   node tests/web/openapi-exchanges.mjs --modules build/tests/web EXCHANGES.jsonl
import { existsSync, readFileSync } from "node:fs";
import { parseArgs, requireFrom } from "./lib/harness.mjs";
import { errorMismatch, loadDescription, mismatch, routeOf } from "./lib/openapi.mjs";

const options = parseArgs();
const file = options.rest.at(-1);
const description = await loadDescription(requireFrom(options.modules));
if (!file || !existsSync(file)) {
  console.log(`FAILED: no answers recorded in ${file}: did the API tests run with KHO_API_EXCHANGES?`);
  process.exit(1);
}
const lines = readFileSync(file, "utf8").split("\n").filter(Boolean);
const problems = new Map(), seen = new Map();
let checked = 0;
for (const line of lines) {
  const x = JSON.parse(line);
  // Numbers in paths (IDs, copy numbers) vary; one check per shape of answer.
  const shape = `${x.method} ${x.path.replace(/\/\d+(?=\/|$)/g, "/N")} ${x.status} ${JSON.stringify(x.body)}`;
  if (seen.has(shape)) continue;
  seen.set(shape, true);
  checked++;
  const route = routeOf(description, x.path);
  const described = route && description.spec.paths[route][x.method.toLowerCase()];
  // The router's own refusals (a path kho does not serve, a method a path
  // does not take) are described once, as the error every route may give.
  const refusal = (!route && x.status === 404) || (route && !described && x.status === 405);
  const why = refusal ? errorMismatch(description, x.content_type, x.body)
    : route ? mismatch(description, x.method, route, x.status, x.content_type, x.body)
    : `${x.method} ${x.path} matches no path of the description`;
  if (why) {
    const key = `${x.method} ${route ?? x.path} ${x.status}: ${why}`;
    problems.set(key, (problems.get(key) ?? 0) + 1);
  }
}
for (const [key, n] of problems) console.log(`FAILED (${n}x): ${key}`);
console.log(`${lines.length} answers recorded by the API tests, ${checked} distinct checked against web/openapi.json, ` +
            `${problems.size} kinds of mismatch`);
process.exit(problems.size || checked === 0 ? 1 : 0);
