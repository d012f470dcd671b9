// The wizard's client-side checks. The limits (required, min/max,
// minLength/maxLength, enumerations, patterns) and defaults are the API's:
// src/api/fieldRules.gen.ts, generated at build time from the AgentCreate and
// CustomFunctionCreate schemas of the OpenAPI document. This file adds only
// what a form needs beyond them: labels, the wizard step of each field, units,
// and shape checks for URLs and JSON text. The API stays the authority: for
// URLs the client only checks that the text looks like an absolute URL; the
// server's stricter rule (http or https with a valid host) comes back as a 422
// and is shown beside the field.
import { AGENT_FIELD_RULES, CUSTOM_FUNCTION_FIELD_RULES, type FieldRule } from "../../api/fieldRules.gen";
import type { Agent, AgentConfigurable, AuthType, CustomFunction, HttpMethod } from "./types";

export const PURPOSES = AGENT_FIELD_RULES.purpose.enum;
export const TEMPLATES = AGENT_FIELD_RULES.template.enum;
export const VOICE_STYLES = AGENT_FIELD_RULES.voiceStyle.enum;
export const METHODS: readonly HttpMethod[] = CUSTOM_FUNCTION_FIELD_RULES.method.enum;
export const AUTH_TYPES: readonly AuthType[] = CUSTOM_FUNCTION_FIELD_RULES.authType.enum;

/**
 * TTS providers and their voices. flite has four built-in voices (a select);
 * espeak-ng voices are language codes (free text with suggestions); ElevenLabs
 * takes any voice id of the account.
 */
export const VOICE_PROVIDERS: Record<string, { label: string; voices: readonly string[]; free: boolean; hint?: string }> = {
  flite: { label: "Flite", voices: ["slt", "rms", "awb", "kal16"], free: false },
  "espeak-ng": {
    label: "eSpeak NG",
    voices: ["en-us", "en", "en-gb-x-rp", "de", "fr", "es", "it", "nl", "pt", "pl", "sv"],
    free: true,
    hint: "eSpeak NG voices are language codes such as en-us, de or fr.",
  },
  elevenlabs: { label: "ElevenLabs", voices: [], free: true, hint: "The ElevenLabs voice id (needs the provider's API key in Settings)." },
};

export const STEPS = ["Basics and purpose", "Voice", "Behaviour", "Advanced"] as const;

type Kind = "text" | "integer" | "number" | "enum" | "boolean";
/** Client-side shape checks the document does not state as a pattern. */
type Format = "url" | "json";

export interface Rule {
  label: string;
  /** Wizard step (0-based) holding the field. */
  step: number;
  kind: Kind;
  required?: boolean;
  /** Empty text is sent as null. */
  nullable?: boolean;
  minLength?: number;
  maxLength?: number;
  min?: number;
  max?: number;
  options?: readonly string[];
  /** ECMA-262 pattern of the API (whole value), with the message shown when it fails. */
  pattern?: { regex: RegExp; message: string };
  format?: Format;
  unit?: string;
}

/** What a form adds to a field's API rules. */
interface FieldUi {
  label: string;
  step: number;
  format?: Format;
  unit?: string;
  /** Shown when the API's pattern does not match. */
  patternMessage?: string;
}

/** A field's form rule: its API rule (generated) plus its UI. */
function ruleOf(api: FieldRule, ui: FieldUi): Rule {
  const kind: Kind =
    api.type === "boolean" ? "boolean" : api.enum ? "enum" : api.type === "integer" ? "integer" : api.type === "number" ? "number" : "text";
  const rule: Rule = { label: ui.label, step: ui.step, kind };
  // A field without null is required in the form (the form sends every field; empty text is null).
  if (kind !== "boolean") rule.required = !api.nullable;
  if (api.nullable) rule.nullable = true;
  if (api.minimum !== undefined) rule.min = api.minimum;
  if (api.maximum !== undefined) rule.max = api.maximum;
  if (api.minLength !== undefined) rule.minLength = api.minLength;
  if (api.maxLength !== undefined) rule.maxLength = api.maxLength;
  if (api.enum) rule.options = api.enum;
  if (api.pattern) rule.pattern = { regex: new RegExp(api.pattern), message: ui.patternMessage ?? `must match ${api.pattern}` };
  if (ui.format) rule.format = ui.format;
  if (ui.unit) rule.unit = ui.unit;
  return rule;
}

/** The form keeps every value as the input shows it: text for text and numbers, booleans for toggles. */
export type AgentForm = { [K in keyof AgentConfigurable]: AgentConfigurable[K] extends boolean ? boolean : string };

const AGENT_UI: { [K in keyof AgentForm]: FieldUi } = {
  name: { label: "Name", step: 0, patternMessage: "may contain only letters, digits, spaces, '-' and '_'" },
  description: { label: "Description", step: 0 },
  purpose: { label: "Purpose", step: 0 },
  customPurpose: { label: "Custom purpose", step: 0 },
  template: { label: "Template", step: 0 },
  enabled: { label: "Enabled (takes and places calls)", step: 0 },
  voiceProvider: { label: "Voice provider", step: 1 },
  voiceId: { label: "Voice", step: 1 },
  voiceStyle: { label: "Style", step: 1 },
  speechRate: { label: "Speech rate", step: 1, unit: "×" },
  pitch: { label: "Pitch", step: 1, unit: "×" },
  language: { label: "Language", step: 2, patternMessage: "must be a BCP-47 language tag such as en-US" },
  responseDelayMs: { label: "Response delay (ms)", step: 2 },
  interruptionSensitivity: { label: "Interruption sensitivity", step: 2 },
  silenceThresholdMs: { label: "Silence threshold (ms)", step: 2 },
  maxCallDurationMin: { label: "Max call duration (min)", step: 2 },
  greetingMessage: { label: "Greeting message", step: 2 },
  greetOnAnswer: { label: "Greet as soon as the call is answered", step: 2 },
  voicemailMessage: { label: "Voicemail message", step: 2 },
  systemPrompt: { label: "System prompt", step: 3 },
  temperature: { label: "Temperature", step: 3 },
  maxTokens: { label: "Max tokens", step: 3 },
  enableTranscription: { label: "Transcription (keep a transcript of calls)", step: 3 },
  enableAnalytics: { label: "Analytics (compute call analytics)", step: 3 },
  webhookUrl: { label: "Webhook URL", step: 3, format: "url" },
};

export const AGENT_RULES = Object.fromEntries(
  Object.entries(AGENT_UI).map(([key, ui]) => [key, ruleOf(AGENT_FIELD_RULES[key as keyof AgentForm], ui)]),
) as { [K in keyof AgentForm]: Rule };

export const AGENT_FIELDS = Object.keys(AGENT_RULES) as (keyof AgentForm)[];

const FORMAT_CHECKS: Record<Format, [RegExp | ((s: string) => boolean), string]> = {
  // Shape only ("scheme://something"); the API decides which schemes and hosts it accepts.
  url: [/^[A-Za-z][A-Za-z0-9+.-]*:\/\/\S+$/, "must be an absolute URL such as https://example.com/hook"],
  json: [(s) => isJsonObject(s), "must be a JSON object"],
};

export function isJsonObject(s: string): boolean {
  try {
    const v: unknown = JSON.parse(s);
    return typeof v === "object" && v !== null && !Array.isArray(v);
  } catch {
    return false;
  }
}

/** The client-side message for one value, or undefined when it passes. */
export function check(rule: Rule, value: string | boolean): string | undefined {
  if (rule.kind === "boolean") return undefined;
  const s = String(value).trim();
  if (s === "") return rule.required ? "is required" : undefined;
  if (rule.kind === "integer" || rule.kind === "number") {
    const n = Number(s);
    if (!Number.isFinite(n)) return `must be ${rule.kind === "integer" ? "an integer" : "a number"}`;
    if (rule.kind === "integer" && !Number.isInteger(n)) return "must be an integer";
    if ((rule.min !== undefined && n < rule.min) || (rule.max !== undefined && n > rule.max))
      return `must be between ${rule.min} and ${rule.max}`;
    return undefined;
  }
  if (rule.options && !rule.options.includes(s)) return `must be one of ${rule.options.join(", ")}`;
  const len = [...String(value)].length;
  if (rule.maxLength !== undefined && len > rule.maxLength) return `must be at most ${rule.maxLength} characters, got ${len}`;
  if (rule.minLength !== undefined && len < rule.minLength) return `must be at least ${rule.minLength} characters, got ${len}`;
  if (rule.pattern && !rule.pattern.regex.test(s)) return rule.pattern.message;
  if (rule.format) {
    const [test, message] = FORMAT_CHECKS[rule.format];
    if (!(typeof test === "function" ? test(s) : test.test(s))) return message;
  }
  return undefined;
}

/** Client-side errors of the agent fields of one step (or all steps when `step` is undefined). */
export function checkAgent(form: AgentForm, step?: number): Record<string, string> {
  const out: Record<string, string> = {};
  for (const key of AGENT_FIELDS) {
    const rule = AGENT_RULES[key];
    if (step !== undefined && rule.step !== step) continue;
    if (key === "customPurpose" && form.purpose !== "custom") continue;
    const e = check(rule, form[key]);
    if (e) out[key] = e;
  }
  return out;
}

/** A new agent's form: the API's documented defaults, empty where it has none. */
export const DEFAULTS: AgentForm = Object.fromEntries(
  AGENT_FIELDS.map((key) => {
    const api: FieldRule = AGENT_FIELD_RULES[key];
    const d = api.default;
    return [key, api.type === "boolean" ? d !== false : d === undefined || d === null ? "" : String(d)];
  }),
) as AgentForm;

/** The form of an existing agent. */
export function formOf(agent: Agent): AgentForm {
  const f = { ...DEFAULTS } as Record<string, string | boolean>;
  for (const key of AGENT_FIELDS) {
    const v = agent[key];
    f[key] = typeof v === "boolean" ? v : v === null || v === undefined ? "" : String(v);
  }
  return f as AgentForm;
}

/** The API value of one form field. */
export function toApi(key: keyof AgentForm, value: string | boolean): unknown {
  const rule = AGENT_RULES[key];
  if (rule.kind === "boolean") return value;
  const s = String(value);
  if (rule.kind === "integer" || rule.kind === "number") return s.trim() === "" ? null : Number(s);
  if (rule.nullable && s.trim() === "") return null;
  return key === "name" || key === "language" || rule.format === "url" ? s.trim() : s;
}

/** The request body: every field for a create, only the changed ones for an update. */
export function agentBody(form: AgentForm, base?: AgentForm): Record<string, unknown> {
  const body: Record<string, unknown> = {};
  for (const key of AGENT_FIELDS) {
    const v = key === "customPurpose" && form.purpose !== "custom" ? null : toApi(key, form[key]);
    if (base && JSON.stringify(toApi(key, base[key])) === JSON.stringify(v)) continue;
    body[key] = v;
  }
  return body;
}

// ---- custom functions ----

export interface FunctionForm {
  /** Local key of the row (stable across edits). */
  key: string;
  /** Id on the server; undefined until created. */
  id?: string;
  /** JSON of the body as loaded from the server, to tell whether the row changed. */
  saved?: string;
  name: string;
  description: string;
  method: HttpMethod;
  endpoint: string;
  headers: string;
  authType: AuthType;
  /** Credentials (write-only on the API; blank on edit = keep the stored ones). */
  authHeaderName: string;
  authSecret: string;
  authUsername: string;
  parameters: string;
  timeout: string;
  enabled: boolean;
}

export const FUNCTION_RULES: Record<"name" | "description" | "endpoint" | "headers" | "parameters" | "timeout", Rule> = {
  name: ruleOf(CUSTOM_FUNCTION_FIELD_RULES.name, {
    label: "Function name",
    step: 3,
    patternMessage: "may contain only letters, digits, '_' and '-'",
  }),
  description: ruleOf(CUSTOM_FUNCTION_FIELD_RULES.description, { label: "Function description", step: 3 }),
  endpoint: ruleOf(CUSTOM_FUNCTION_FIELD_RULES.endpoint, { label: "Endpoint URL", step: 3, format: "url" }),
  headers: ruleOf(CUSTOM_FUNCTION_FIELD_RULES.headers, { label: "Headers (JSON object)", step: 3, format: "json" }),
  parameters: ruleOf(CUSTOM_FUNCTION_FIELD_RULES.parameters, { label: "Parameters (JSON Schema)", step: 3, format: "json" }),
  timeout: ruleOf(CUSTOM_FUNCTION_FIELD_RULES.timeout, { label: "Timeout (s)", step: 3 }),
};

/** Errors of the function rows keyed like the API's nested names: `functions[0].endpoint`. */
export function checkFunctions(rows: FunctionForm[]): Record<string, string> {
  const out: Record<string, string> = {};
  const seen = new Set<string>();
  rows.forEach((row, i) => {
    for (const [key, rule] of Object.entries(FUNCTION_RULES)) {
      const e = check(rule, row[key as keyof typeof FUNCTION_RULES]);
      if (e) out[`functions[${i}].${key}`] = e;
    }
    if (seen.has(row.name)) out[`functions[${i}].name`] ??= "is already used by another function of this agent";
    seen.add(row.name);
  });
  return out;
}

/** The form of a stored function (credentials are never returned: left blank). */
export function functionRow(f: CustomFunction): FunctionForm {
  const row: FunctionForm = {
    key: f.id,
    id: f.id,
    name: f.name,
    description: f.description,
    method: f.method,
    endpoint: f.endpoint,
    headers: JSON.stringify(f.headers ?? {}, null, 2),
    authType: f.authType,
    authHeaderName: "",
    authSecret: "",
    authUsername: "",
    parameters: JSON.stringify(f.parameters ?? {}, null, 2),
    timeout: String(f.timeout),
    enabled: f.enabled,
  };
  row.saved = JSON.stringify(functionBody(row));
  return row;
}

let rowSeq = 0;
export function newFunctionRow(): FunctionForm {
  return {
    key: `new-${++rowSeq}`,
    name: "",
    description: "",
    method: "POST",
    endpoint: "",
    headers: "{}",
    authType: "none",
    authHeaderName: "",
    authSecret: "",
    authUsername: "",
    parameters: '{\n  "type": "object",\n  "properties": {}\n}',
    timeout: "30",
    enabled: true,
  };
}

/** The request body of a function row (authConfig only when credentials were typed). */
export function functionBody(row: FunctionForm): Record<string, unknown> {
  const body: Record<string, unknown> = {
    name: row.name.trim(),
    description: row.description,
    method: row.method,
    endpoint: row.endpoint.trim(),
    headers: JSON.parse(row.headers),
    authType: row.authType,
    parameters: JSON.parse(row.parameters),
    timeout: Number(row.timeout),
    enabled: row.enabled,
  };
  if (row.authType === "none") {
    if (row.id) body.authConfig = null;
  } else if (row.authSecret || row.authUsername || row.authHeaderName) {
    body.authConfig =
      row.authType === "api_key"
        ? { headerName: row.authHeaderName || "X-API-Key", key: row.authSecret }
        : row.authType === "bearer"
          ? { token: row.authSecret }
          : { username: row.authUsername, password: row.authSecret };
  }
  return body;
}

/** Step (0-based) holding an API error field such as `webhookUrl` or `functions[0].endpoint`; undefined if unknown. */
export function stepOfField(field: string): number | undefined {
  if (field.startsWith("functions")) return 3;
  const rule = (AGENT_RULES as Record<string, Rule>)[field];
  return rule?.step;
}
