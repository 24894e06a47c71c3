// web/openapi.json, dereferenced, and the one check both OpenAPI tests make
// of an answer: its status is described for the operation, its Content-Type
// is one the description lists, and a JSON body validates (ajv, JSON Schema
// 2020-12) against that response's schema.
import { readFileSync } from "node:fs";
import path from "node:path";
import { SOURCE_DIR } from "./harness.mjs";

export async function loadDescription(require) {
  const SwaggerParser = require("@apidevtools/swagger-parser");
  const Ajv2020 = require("ajv/dist/2020").default;
  const addFormats = require("ajv-formats").default;
  const described = JSON.parse(readFileSync(path.join(SOURCE_DIR, "web/openapi.json"), "utf8"));
  const spec = await SwaggerParser.dereference(structuredClone(described));
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  addFormats(ajv);
  return { described, spec, ajv, validators: new Map() };
}

// The path template of openapi.json that serves `urlPath`: literal segments
// beat parameters, so /records/{id}/file is not taken for /records/{id}.
export function routeOf(description, urlPath) {
  const segments = urlPath.split("/");
  let best, bestScore = -1;
  for (const route of Object.keys(description.spec.paths)) {
    const parts = route.split("/");
    if (parts.length !== segments.length) continue;
    let score = 0, ok = true;
    for (let i = 0; i < parts.length && ok; i++) {
      if (/^\{.+\}$/.test(parts[i])) ok = segments[i] !== "";
      else if (parts[i] === segments[i]) score++;
      else ok = false;
    }
    if (ok && score > bestScore) [best, bestScore] = [route, score];
  }
  return best;
}

// Why an answer does not match its description, or null when it does.
export function mismatch(description, method, route, status, contentType, body) {
  const operation = description.spec.paths[route]?.[method.toLowerCase()];
  if (!operation) return `${method} ${route} is not described`;
  const response = operation.responses[String(status)] ?? (status >= 400 ? operation.responses.default : undefined);
  if (!response) return `${method} ${route} answered ${status}, which the description does not list`;
  const type = (contentType || "").split(";")[0].trim();
  const content = response.content;
  if (!content) return body !== undefined && body !== "" ? `a ${status} is described without a body, yet it has one (${type})` : null;
  const listed = Object.keys(content);
  const matches = listed.some((t) => t === type || t === "*/*" || (t.endsWith("/*") && type.startsWith(t.slice(0, -1))));
  if (!matches) return `Content-Type ${type || "(none)"} is not among ${listed.join(", ")}`;
  if (type !== "application/json" || !content["application/json"]) return null;
  if (body === undefined) return "the body is not JSON";
  const key = `${method} ${route} ${status}`;
  if (!description.validators.has(key)) description.validators.set(key, description.ajv.compile(content["application/json"].schema));
  const validate = description.validators.get(key);
  if (validate(body)) return null;
  return "the body does not match the description:\n    " + validate.errors.slice(0, 12).map((e) =>
    `${e.instancePath || "(body)"} ${e.message}` + (e.params?.additionalProperty ? `: ${e.params.additionalProperty}` : "") +
    ` (schema ${e.schemaPath})`).join("\n    ");
}

// Why an answer is not kho's error body ({"error": {"code", "message"}}), or null.
export function errorMismatch(description, contentType, body) {
  if (!(contentType || "").startsWith("application/json")) return `an error answered as ${contentType || "(no type)"}`;
  const key = "the error body";
  if (!description.validators.has(key))
    description.validators.set(key, description.ajv.compile(description.spec.components.schemas.Error));
  const validate = description.validators.get(key);
  return validate(body) ? null : "not kho's error body: " + validate.errors.map((e) => `${e.instancePath} ${e.message}`).join("; ");
}
