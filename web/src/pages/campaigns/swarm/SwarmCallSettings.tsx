// The campaign's configuration (issue 18 §6; GET …/configurations, PUT/DELETE
// /api/campaigns/{id}/configuration): what its calls use instead of the voice
// agents' own settings (model, voice, manner, call length), the escalation
// triggers, the automatic transfer to a person, supervisor alerts and the
// quality check. An empty field keeps the agent's own value; a swarm agent's
// variant (voice, personality) still wins over the campaign's.
import { type FormEvent, useEffect, useState } from "react";
import { ApiError, type Page, del, get, put } from "../../../lib/api";
import { ErrorBanner, Field, unmatchedError } from "../../../lib/ui";
import { PERSONALITIES, campaignPath, num, useAction } from "./common";

type Config = Record<string, unknown>;
type Kind = "text" | "number" | "textarea" | "select";
interface Spec {
  key: string;
  label: string;
  kind: Kind;
  hint?: string;
  options?: readonly string[];
  /** number fields: inclusive range and whether only integers are allowed */
  range?: [number, number, boolean];
}

const OBJECTION_STYLES = ["EMPATHETIC", "LOGICAL", "PERSISTENT", "ACCOMMODATING"] as const;
const GROUPS: { legend: string; fields: Spec[] }[] = [
  {
    legend: "Model",
    fields: [
      { key: "model", label: "LLM model", kind: "text", hint: "Empty: the workspace's llm setting." },
      { key: "temperature", label: "Temperature", kind: "number", range: [0, 2, false], hint: "0–2." },
      { key: "maxTokens", label: "Max tokens per reply", kind: "number", range: [50, 2000, true], hint: "50–2000." },
      { key: "systemPrompt", label: "System prompt", kind: "textarea", hint: "Replaces the agent's instructions." },
    ],
  },
  {
    legend: "Voice",
    fields: [
      { key: "voiceProvider", label: "Voice provider", kind: "select", options: ["flite", "espeak-ng", "elevenlabs"] },
      { key: "voiceModel", label: "Voice", kind: "text", hint: "The provider's voice id." },
      { key: "speakingRate", label: "Speaking rate", kind: "number", range: [0.5, 2, false], hint: "0.5–2.0." },
      { key: "clarity", label: "Clarity", kind: "number", range: [0, 1, false], hint: "0–1: ElevenLabs' clarity (similarity boost); flite and espeak-ng ignore it." },
      { key: "language", label: "Language", kind: "text", hint: "BCP 47, e.g. en-GB." },
    ],
  },
  {
    legend: "Manner",
    fields: [
      { key: "personality", label: "Personality", kind: "select", options: PERSONALITIES },
      { key: "tone", label: "Tone", kind: "text", hint: "A few words, e.g. warm and calm." },
      { key: "formality", label: "Formality", kind: "select", options: ["casual", "neutral", "formal"] },
      { key: "objectionStyle", label: "Objection style", kind: "select", options: OBJECTION_STYLES },
    ],
  },
  {
    legend: "Calls",
    fields: [
      { key: "maxCallDurationMin", label: "Max call length (minutes)", kind: "number", range: [1, 60, true], hint: "1–60." },
      { key: "retryAttempts", label: "Attempts per lead", kind: "number", range: [1, 10, true], hint: "1–10, from the next start." },
      { key: "queueTimeoutS", label: "Queue timeout (s)", kind: "number", range: [10, 86400, true], hint: "Alert when a due lead waits longer." },
    ],
  },
  {
    legend: "Escalation",
    fields: [
      { key: "negativeSentimentTurns", label: "Negative turns in a row", kind: "number", range: [0, 10, true], hint: "0 = off." },
      { key: "repeatedObjectionCount", label: "Same objection raised", kind: "number", range: [0, 10, true], hint: "0 = off." },
      { key: "escalationKeywords", label: "Keywords", kind: "text", hint: "Comma-separated words or phrases." },
      { key: "transferNumber", label: "Transfer to", kind: "text", hint: "E.164 number or sip: URI of a person." },
    ],
  },
  {
    legend: "Alerts and quality",
    fields: [
      { key: "alertWebhookUrl", label: "Alert webhook URL", kind: "text", hint: "Empty: the agent's webhook URL." },
      { key: "successThreshold", label: "Quality threshold", kind: "number", range: [0, 100, false], hint: "0–100: calls under it are flagged." },
    ],
  },
];
const SWITCHES: [string, string][] = [
  ["escalateOnHumanRequest", "Escalate when the callee asks for a person"],
  ["autoTransfer", "Transfer escalated calls to the number above"],
  ["supervisorAlerts", "Send supervisor alerts (live view and webhooks)"],
  ["qualityCheck", "Flag calls under the quality threshold for review"],
];
const SPECS = GROUPS.flatMap((g) => g.fields);
const SHOWN = [...SPECS.map((s) => s.key), ...SWITCHES.map(([k]) => k)];
const DEFAULT_SWITCHES: Record<string, boolean> = { escalateOnHumanRequest: true, autoTransfer: false, supervisorAlerts: true, qualityCheck: false };

/** The stored configuration as the form's strings. */
function toForm(c: Config | null): Record<string, string> {
  const out: Record<string, string> = {};
  for (const s of SPECS) {
    const v = c?.[s.key];
    out[s.key] = v === null || v === undefined ? "" : Array.isArray(v) ? v.join(", ") : String(v);
  }
  if (!c) Object.assign(out, { successThreshold: "60", negativeSentimentTurns: "0", repeatedObjectionCount: "0" });
  return out;
}

export function SwarmCallSettings({ campaignId, canWrite }: { campaignId: string; canWrite: boolean }) {
  const path = `${campaignPath(campaignId)}/configuration`;
  const [stored, setStored] = useState<Config | null | undefined>(undefined);
  const [loadError, setLoadError] = useState<ApiError | null>(null);
  const [v, setV] = useState<Record<string, string>>(toForm(null));
  const [flags, setFlags] = useState<Record<string, boolean>>(DEFAULT_SWITCHES);
  const [local, setLocal] = useState<Record<string, string>>({});
  const [saved, setSaved] = useState("");
  const act = useAction();

  function show(c: Config | null) {
    setStored(c);
    setV(toForm(c));
    setFlags(c ? Object.fromEntries(SWITCHES.map(([k]) => [k, Boolean(c[k])])) : DEFAULT_SWITCHES);
  }
  useEffect(() => {
    let live = true;
    // The list form answers an empty page, not a 404, for a campaign without settings.
    get<Page<Config>>(`${path}s`)
      .then((p) => live && show(p.items[0] ?? null))
      .catch((e) => {
        if (live) setLoadError(e instanceof ApiError ? e : new ApiError(0, "Error", String(e), []));
      });
    return () => {
      live = false;
    };
  }, [path]);

  function check(): Record<string, string> {
    const e: Record<string, string> = {};
    for (const s of SPECS) {
      if (!s.range || v[s.key].trim() === "") continue;
      const [lo, hi, integer] = s.range;
      const n = num(v[s.key]);
      if (n === undefined || n < lo || n > hi || (integer && !Number.isInteger(n)))
        e[s.key] = `must be ${integer ? "an integer" : "a number"} from ${lo} to ${hi}`;
    }
    if (flags.autoTransfer && v.transferNumber.trim() === "") e.transferNumber = "autoTransfer needs a number to transfer to";
    return e;
  }

  async function submit(ev: FormEvent) {
    ev.preventDefault();
    setSaved("");
    const errs = check();
    setLocal(errs);
    if (Object.keys(errs).length) return;
    const body: Config = { ...flags };
    for (const s of SPECS) {
      const raw = v[s.key].trim();
      if (s.key === "escalationKeywords") body[s.key] = raw.split(",").map((k) => k.trim()).filter(Boolean);
      else if (s.key === "successThreshold" || s.key === "negativeSentimentTurns" || s.key === "repeatedObjectionCount")
        body[s.key] = raw === "" ? 0 : Number(raw);
      else body[s.key] = raw === "" ? null : s.range ? Number(raw) : raw;
    }
    const r = await act.run(() => put<Config>(path, body));
    if (r) {
      show(r);
      setSaved("Saved: the campaign's next calls use these settings.");
    }
  }
  async function remove() {
    setSaved("");
    const ok = await act.run(async () => {
      await del<unknown>(path);
      return true;
    });
    if (ok) {
      show(null);
      setSaved("Removed: the agents' own settings apply again.");
    }
  }

  if (loadError) return <ErrorBanner error={loadError} />;
  if (stored === undefined) return <p className="muted">Loading the call settings…</p>;
  const err = (k: string) => local[k] ?? act.error?.fields[k];
  const control = (s: Spec) => (
    <Field key={s.key} label={s.label} error={err(s.key)} hint={s.hint}>
      {(id, d) =>
        s.kind === "select" ? (
          <select id={id} aria-describedby={d} value={v[s.key]} disabled={!canWrite}
            onChange={(e) => { setSaved(""); setV((x) => ({ ...x, [s.key]: e.target.value })); }}>
            <option value="">The agent's own</option>
            {s.options!.map((o) => (
              <option key={o} value={o}>
                {o}
              </option>
            ))}
          </select>
        ) : s.kind === "textarea" ? (
          <textarea id={id} aria-describedby={d} rows={3} value={v[s.key]} readOnly={!canWrite}
            onChange={(e) => { setSaved(""); setV((x) => ({ ...x, [s.key]: e.target.value })); }} />
        ) : (
          <input id={id} aria-describedby={d} type={s.kind === "number" ? "number" : "text"} step={s.kind === "number" ? "any" : undefined}
            value={v[s.key]} readOnly={!canWrite} autoComplete="off"
            onChange={(e) => { setSaved(""); setV((x) => ({ ...x, [s.key]: e.target.value })); }} />
        )
      }
    </Field>
  );
  return (
    <form className="swarm-form" onSubmit={submit} noValidate aria-labelledby="swarm-calls-title">
      <h3 id="swarm-calls-title">Call settings and escalation</h3>
      <p className="muted campaigns-small">
        {stored ? "These settings override the voice agents' own for this campaign's calls; empty fields keep the agent's value."
          : "No campaign settings yet: the calls use each voice agent's own settings."}
      </p>
      <ErrorBanner error={unmatchedError(act.error, SHOWN)} />
      {GROUPS.map((g) => (
        <fieldset key={g.legend} className="campaigns-fieldset">
          <legend>{g.legend}</legend>
          <div className="campaigns-form-grid">{g.fields.map(control)}</div>
        </fieldset>
      ))}
      <fieldset className="campaigns-fieldset">
        <legend>Switches</legend>
        {SWITCHES.map(([k, label]) => (
          <label key={k} className="check">
            <input type="checkbox" checked={flags[k]} disabled={!canWrite}
              onChange={(e) => { setSaved(""); setFlags((f) => ({ ...f, [k]: e.target.checked })); }} />
            {label}
          </label>
        ))}
      </fieldset>
      {canWrite && (
        <div className="swarm-row-actions">
          <button type="submit" className="btn primary" disabled={act.busy}>
            {stored ? "Save call settings" : "Create call settings"}
          </button>
          {stored && (
            <button type="button" className="btn" onClick={remove} disabled={act.busy}>
              Remove call settings
            </button>
          )}
          <span role="status" className="muted">{saved}</span>
        </div>
      )}
    </form>
  );
}
