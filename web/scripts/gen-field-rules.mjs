// Writes src/api/fieldRules.gen.ts from openapi.json: for the request
// schemas the dashboard's forms fill (AgentCreate, CustomFunctionCreate), each
// field's JSON type, nullability, whether a create requires it, its limits
// (minimum, maximum, minLength, maxLength), enumeration, pattern and default.
// The forms' checks (src/pages/agents/rules.ts) read these, so they follow the
// API's EntitySpecs instead of a copy; a field the API drops or renames fails
// the dashboard's type check. Run by `npm run generate` (before tsc).
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const web = join(dirname(fileURLToPath(import.meta.url)), "..");
const doc = JSON.parse(readFileSync(join(web, "openapi.json"), "utf8"));
const out = join(web, "src/api/fieldRules.gen.ts");

/** Export name → component schema. */
const FORMS = { AGENT_FIELD_RULES: "AgentCreate", CUSTOM_FUNCTION_FIELD_RULES: "CustomFunctionCreate" };

function fieldRule(schema, required) {
  // Nullable fields are written as type: [t, "null"] or anyOf [{type: t, ...}, {type: "null"}].
  let s = schema;
  let nullable = false;
  if (Array.isArray(s.anyOf)) {
    const value = s.anyOf.find((a) => a.type !== "null");
    nullable = s.anyOf.some((a) => a.type === "null");
    s = { ...s, ...value };
  }
  let type = s.type;
  if (Array.isArray(type)) {
    nullable ||= type.includes("null");
    type = type.find((t) => t !== "null");
  }
  if (type === undefined) throw new Error(`no JSON type in ${JSON.stringify(schema)}`);
  const rule = { type, nullable, required };
  for (const key of ["minimum", "maximum", "minLength", "maxLength", "pattern", "format", "default"])
    if (s[key] !== undefined) rule[key] = s[key];
  if (Array.isArray(s.enum)) rule.enum = s.enum.filter((v) => v !== null);
  return rule;
}

let text =
  "// Generated from openapi.json by scripts/gen-field-rules.mjs (npm run generate): do not edit.\n" +
  "// Each request field's rules as the API states them.\n\n" +
  "export interface FieldRule {\n" +
  '  readonly type: "string" | "integer" | "number" | "boolean" | "object" | "array";\n' +
  "  readonly nullable: boolean;\n" +
  "  /** Required on create. */\n" +
  "  readonly required: boolean;\n" +
  "  readonly minimum?: number;\n  readonly maximum?: number;\n" +
  "  readonly minLength?: number;\n  readonly maxLength?: number;\n" +
  "  /** ECMA-262 regular expression the whole value matches. */\n" +
  "  readonly pattern?: string;\n  readonly format?: string;\n" +
  "  readonly enum?: readonly string[];\n  readonly default?: unknown;\n}\n";
for (const [name, schemaName] of Object.entries(FORMS)) {
  const schema = doc.components?.schemas?.[schemaName];
  if (!schema?.properties) throw new Error(`openapi.json has no schema ${schemaName} with properties`);
  const required = new Set(schema.required ?? []);
  const rules = {};
  for (const [field, s] of Object.entries(schema.properties)) rules[field] = fieldRule(s, required.has(field));
  text += `\n/** The fields of ${schemaName}. */\nexport const ${name} = ${JSON.stringify(rules, null, 2)} as const satisfies Record<string, FieldRule>;\n`;
}
mkdirSync(dirname(out), { recursive: true });
writeFileSync(out, text);
