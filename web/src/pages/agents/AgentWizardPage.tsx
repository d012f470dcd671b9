// The four-step "create agent" wizard, also the edit form (/agents/:id/edit,
// where saving PATCHes the agent and so creates a new configuration version).
// Next checks the step's fields with the rules of rules.ts; the API's 422
// messages are shown beside the fields they name and the wizard jumps to the
// first step holding one.
import { useEffect, useRef, useState, type FormEvent, type InputHTMLAttributes, type ReactNode } from "react";
import { Link, useNavigate, useParams } from "react-router";
import { ApiError, del, get, patch, post, postForBlob, type Page } from "../../lib/api";
import { useAsync } from "../../lib/hooks";
import { useCan } from "../../lib/session";
import { ErrorBanner, Field, Loading, PageHeader } from "../../lib/ui";
import { FunctionsEditor } from "./FunctionsEditor";
import { label } from "./parts";
import {
  AGENT_RULES,
  DEFAULTS,
  STEPS,
  VOICE_PROVIDERS,
  agentBody,
  checkAgent,
  checkFunctions,
  formOf,
  functionBody,
  functionRow,
  stepOfField,
  type AgentForm,
  type FunctionForm,
} from "./rules";
import type { Agent, CustomFunction } from "./types";

export function AgentWizardPage() {
  const { id } = useParams();
  const canWrite = useCan()("agents:write");
  const loaded = useAsync(
    async () =>
      id
        ? Promise.all([
            get<Agent>(`/api/agents/${encodeURIComponent(id)}`),
            get<Page<CustomFunction>>(`/api/agents/${encodeURIComponent(id)}/functions?limit=500`),
          ])
        : null,
    [id],
  );
  if (!canWrite)
    return (
      <>
        <PageHeader title={id ? "Edit agent" : "Create agent"} />
        <p role="alert">Your role in this workspace cannot create or change agents (it needs the agents:write scope).</p>
        <Link to={id ? `/agents/${id}` : "/agents"}>Back</Link>
      </>
    );
  if (!id) return <Wizard key="new" />;
  if (loaded.error)
    return (
      <>
        <PageHeader title="Edit agent" />
        <ErrorBanner error={loaded.error} onRetry={loaded.reload} />
      </>
    );
  if (!loaded.data) return <Loading what="Loading the agent" />;
  const [agent, fns] = loaded.data;
  return <Wizard key={agent.id} agent={agent} functions={fns.items} />;
}

const TEMPLATE_HINTS: Record<string, string> = {
  property_sales: "Scripted flow for property sales calls.",
  property_manager: "Scripted flow for property management calls.",
  custom: "Start from a blank agent driven by your system prompt.",
};

function Wizard({ agent, functions }: { agent?: Agent; functions?: CustomFunction[] }) {
  const navigate = useNavigate();
  const [agentId, setAgentId] = useState(agent?.id);
  const [base, setBase] = useState<AgentForm | undefined>(agent ? formOf(agent) : undefined);
  const [form, setForm] = useState<AgentForm>(agent ? formOf(agent) : DEFAULTS);
  const [rows, setRows] = useState<FunctionForm[]>(() => (functions ?? []).map(functionRow));
  const [removed, setRemoved] = useState<string[]>([]);
  const [step, setStep] = useState(0);
  const [reached, setReached] = useState(agent ? STEPS.length - 1 : 0);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [banner, setBanner] = useState<ApiError | string | null>(null);
  const [saving, setSaving] = useState(false);
  const headingRef = useRef<HTMLHeadingElement>(null);
  const editing = agent !== undefined;

  const firstRender = useRef(true);
  useEffect(() => {
    if (firstRender.current) firstRender.current = false;
    else headingRef.current?.focus();
  }, [step]);

  const set = <K extends keyof AgentForm>(key: K, value: AgentForm[K]) => {
    setForm((f) => ({ ...f, [key]: value }));
    setErrors((e) => {
      if (!(key in e)) return e;
      const { [key]: _, ...rest } = e;
      return rest;
    });
  };

  const go = (to: number) => {
    setStep(to);
    setReached((r) => Math.max(r, to));
  };

  const showErrors = (errs: Record<string, string>) => {
    setErrors(errs);
    const steps = Object.keys(errs)
      .map(stepOfField)
      .filter((s): s is number => s !== undefined);
    if (steps.length) go(Math.min(...steps));
  };

  const next = () => {
    const errs = step === 3 ? { ...checkAgent(form, 3), ...checkFunctions(rows) } : checkAgent(form, step);
    if (Object.keys(errs).length) {
      setErrors((e) => ({ ...e, ...errs }));
      return false;
    }
    return true;
  };

  const submit = async () => {
    const clientErrs = { ...checkAgent(form), ...checkFunctions(rows) };
    if (Object.keys(clientErrs).length) return showErrors(clientErrs);
    setSaving(true);
    setBanner(null);
    let id = agentId;
    try {
      // 1. the agent
      try {
        if (!id) {
          const created = await post<Agent>("/api/agents", agentBody(form));
          id = created.id;
          setAgentId(id);
          setBase(formOf(created));
        } else {
          const body = agentBody(form, base);
          if (Object.keys(body).length) setBase(formOf(await patch<Agent>(`/api/agents/${id}`, body)));
        }
      } catch (e) {
        return failed(e);
      }
      // 2. its custom functions
      for (const fid of removed) {
        try {
          await del(`/api/agents/${id}/functions/${fid}`);
        } catch (e) {
          if (!(e instanceof ApiError && e.status === 404)) return failed(e, "Removing a custom function failed");
        }
        setRemoved((r) => r.filter((x) => x !== fid));
      }
      const saved = [...rows];
      for (let i = 0; i < saved.length; i++) {
        const row = saved[i];
        const body = functionBody(row);
        const json = JSON.stringify(body);
        if (row.id && row.saved === json) continue;
        try {
          const fn = row.id
            ? await patch<CustomFunction>(`/api/agents/${id}/functions/${row.id}`, body)
            : await post<CustomFunction>(`/api/agents/${id}/functions`, body);
          saved[i] = { ...row, id: fn.id, saved: json, authHeaderName: "", authSecret: "", authUsername: "" };
          setRows([...saved]);
        } catch (e) {
          return failed(e, `Saving function ${i + 1} failed`, i);
        }
      }
      navigate(`/agents/${id}`);
    } finally {
      setSaving(false);
    }

    function failed(e: unknown, what?: string, fnIndex?: number) {
      const err = e instanceof ApiError ? e : new ApiError(0, "Error", String(e), []);
      const names = Object.keys(err.fields);
      if (names.length) {
        const mapped: Record<string, string> = {};
        for (const n of names) mapped[fnIndex === undefined || n.startsWith("functions") ? n : `functions[${fnIndex}].${n}`] = err.fields[n];
        showErrors(mapped);
      }
      const unplaced = fnIndex === undefined && names.some((n) => stepOfField(n) === undefined);
      const createdNote = !editing && id ? " The agent itself was saved; fix this and save again." : "";
      if (!names.length || unplaced || createdNote)
        setBanner(`${what ? what + ": " : ""}${err.message}${err.status ? ` (${err.status})` : ""}.${createdNote}`);
    }
  };

  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    if (saving) return;
    if (step < STEPS.length - 1) {
      if (next()) go(step + 1);
    } else void submit();
  };

  const field = (key: keyof AgentForm, render: (id: string, d: string | undefined) => ReactNode, hint?: string) => (
    <Field label={AGENT_RULES[key].label} error={errors[key]} hint={hint}>
      {render}
    </Field>
  );
  const text = (key: keyof AgentForm, props: InputHTMLAttributes<HTMLInputElement> = {}, hint?: string) =>
    field(
      key,
      (id, d) => (
        <input
          id={id}
          aria-describedby={d}
          aria-invalid={errors[key] ? true : undefined}
          maxLength={AGENT_RULES[key].maxLength}
          {...props}
          value={form[key] as string}
          onChange={(e) => set(key, e.target.value)}
        />
      ),
      hint,
    );
  const area = (key: keyof AgentForm, rows = 3, hint?: string) =>
    field(
      key,
      (id, d) => (
        <textarea id={id} aria-describedby={d} aria-invalid={errors[key] ? true : undefined} rows={rows} value={form[key] as string} onChange={(e) => set(key, e.target.value)} />
      ),
      hint,
    );
  const num = (key: keyof AgentForm, stepSize: number, hint?: string) => {
    const r = AGENT_RULES[key];
    return text(key, { type: "number", min: r.min, max: r.max, step: stepSize, inputMode: "decimal", maxLength: undefined }, hint ?? `${r.min}–${r.max}`);
  };
  const select = (key: keyof AgentForm, hint?: string) =>
    field(
      key,
      (id, d) => (
        <select id={id} aria-describedby={d} value={form[key] as string} onChange={(e) => set(key, e.target.value)}>
          {AGENT_RULES[key].options!.map((o) => (
            <option key={o} value={o}>
              {label(o)}
            </option>
          ))}
        </select>
      ),
      hint,
    );
  const toggle = (key: keyof AgentForm, hint?: string) => (
    <>
      <label className="check">
        <input
          type="checkbox"
          checked={form[key] as boolean}
          onChange={(e) => set(key, e.target.checked)}
          aria-describedby={hint ? `agent-${key}-hint` : undefined}
        />{" "}
        {AGENT_RULES[key].label}
      </label>
      {hint && (
        <p id={`agent-${key}-hint`} className="muted">
          {hint}
        </p>
      )}
    </>
  );

  const title = editing ? `Edit ${agent.name}` : "Create agent";
  return (
    <div className="agents-wizard">
      <PageHeader title={title} actions={<Link className="btn" to={agentId ? `/agents/${agentId}` : "/agents"}>Cancel</Link>}>
        {editing && <p className="muted">Saving changes to the prompt, voice or behaviour creates a new configuration version.</p>}
      </PageHeader>
      <nav aria-label="Wizard steps">
        <ol className="agents-steps">
          {STEPS.map((s, i) => (
            <li key={s} aria-current={i === step ? "step" : undefined} className={i < step ? "done" : i === step ? "current" : ""}>
              {i <= reached && i !== step ? (
                <button type="button" className="agents-step-link" onClick={() => go(i)}>
                  <span className="agents-step-no">{i + 1}</span>
                  <span className="agents-step-name">{s}</span>
                </button>
              ) : (
                <span className="agents-step-static">
                  <span className="agents-step-no">{i + 1}</span>
                  <span className="agents-step-name">{s}</span>
                </span>
              )}
            </li>
          ))}
        </ol>
      </nav>
      <ErrorBanner error={banner} />
      <form className="card" noValidate onSubmit={onSubmit} aria-labelledby="agents-step-title">
        <h2 id="agents-step-title" ref={headingRef} tabIndex={-1}>
          Step {step + 1} of {STEPS.length}: {STEPS[step]}
        </h2>
        {step === 0 && (
          <>
            {text("name", { autoComplete: "off" }, "Letters, digits, spaces, '-' and '_'")}
            {area("description", 2)}
            <div className="grid two">
              {select("purpose")}
              {select("template", TEMPLATE_HINTS[form.template])}
            </div>
            {form.purpose === "custom" && area("customPurpose", 2, "What this agent is for, in your words.")}
            {toggle("enabled")}
          </>
        )}
        {step === 1 && <VoiceStep form={form} set={set} errors={errors} setErrors={setErrors} num={num} select={select} />}
        {step === 2 && (
          <>
            <div className="grid two">
              {text("language", { list: "agents-languages", autoComplete: "off" }, "BCP-47 tag such as en-US")}
              {num("responseDelayMs", 50, "Pause before answering, 0–2000 ms")}
              {num("interruptionSensitivity", 0.05, "0 = never interrupted, 1 = any speech interrupts")}
              {num("silenceThresholdMs", 100, "Silence that ends the caller's turn, 500–5000 ms")}
              {num("maxCallDurationMin", 1, "1–60 minutes")}
            </div>
            <datalist id="agents-languages">
              {["en-US", "en-GB", "en-AU", "de-DE", "fr-FR", "es-ES", "it-IT", "nl-NL", "pt-BR"].map((l) => (
                <option key={l} value={l} />
              ))}
            </datalist>
            {area("greetingMessage", 2, "Spoken when the call is answered.")}
            {toggle(
              "greetOnAnswer",
              "On: the greeting starts at the answer, so a callee who waits in silence is not left 2 s without hearing the agent (an abandoned call). Off: the agent waits for the callee's hello or the answering-machine check first.",
            )}
            {area("voicemailMessage", 2, "Left on an answering machine after the beep; empty = hang up on machines.")}
          </>
        )}
        {step === 3 && (
          <>
            {area("systemPrompt", 8, "Instructions for the agent's brain (at least 10 characters).")}
            <div className="grid two">
              {num("temperature", 0.1, "0–2; lower is more predictable")}
              {num("maxTokens", 10, "50–2000 tokens per reply")}
            </div>
            <fieldset className="agents-toggles">
              <legend>Recording and analysis</legend>
              {toggle("enableTranscription")}
              {toggle("enableAnalytics")}
            </fieldset>
            {text("webhookUrl", { type: "url", placeholder: "https://example.com/voqo-events" }, "Receives call and job events.")}
            <FunctionsEditor
              rows={rows}
              errors={errors}
              onChange={(next, touched) => {
                if (next.length < rows.length) {
                  const gone = rows.filter((r) => !next.includes(r)).flatMap((r) => (r.id ? [r.id] : []));
                  setRemoved((x) => [...x, ...gone]);
                  setErrors((e) => Object.fromEntries(Object.entries(e).filter(([k]) => !k.startsWith("functions"))));
                } else if (touched)
                  setErrors((e) => {
                    const { [touched]: _, ...rest } = e;
                    return rest;
                  });
                setRows(next);
              }}
            />
          </>
        )}
        <div className="agents-wizard-nav">
          <button type="button" className="btn" disabled={step === 0 || saving} onClick={() => go(step - 1)}>
            Back
          </button>
          {step < STEPS.length - 1 ? (
            <button type="submit" className="btn primary">
              Next
            </button>
          ) : (
            <button type="submit" className="btn primary" disabled={saving}>
              {saving ? "Saving…" : editing || agentId ? "Save changes" : "Create agent"}
            </button>
          )}
        </div>
      </form>
    </div>
  );
}

type Render = (key: keyof AgentForm, ...rest: never[]) => ReactNode;

/** Step 2: provider, voice, style, rate, pitch and the preview player. */
function VoiceStep({
  form,
  set,
  errors,
  setErrors,
  num,
  select,
}: {
  form: AgentForm;
  set: <K extends keyof AgentForm>(key: K, value: AgentForm[K]) => void;
  errors: Record<string, string>;
  setErrors: (f: (e: Record<string, string>) => Record<string, string>) => void;
  num: (key: keyof AgentForm, step: number, hint?: string) => ReactNode;
  select: Render;
}) {
  const [previewText, setPreviewText] = useState("Hello! This is how I will sound on your calls.");
  const [audioUrl, setAudioUrl] = useState<string | null>(null);
  const [previewError, setPreviewError] = useState<ApiError | null>(null);
  const [busy, setBusy] = useState(false);
  const audioRef = useRef<HTMLAudioElement>(null);
  const provider = VOICE_PROVIDERS[form.voiceProvider];
  const voices = provider?.voices ?? [];

  useEffect(() => () => void (audioUrl && URL.revokeObjectURL(audioUrl)), [audioUrl]);
  useEffect(() => {
    if (audioUrl) audioRef.current?.play().catch(() => undefined /* autoplay refused: the controls remain */);
  }, [audioUrl]);

  const preview = async () => {
    setBusy(true);
    setPreviewError(null);
    try {
      const blob = await postForBlob("/api/tts/preview", {
        voiceProvider: form.voiceProvider,
        voiceId: form.voiceId,
        speechRate: Number(form.speechRate),
        pitch: Number(form.pitch),
        language: form.language,
        text: previewText,
      });
      setAudioUrl(URL.createObjectURL(blob));
    } catch (e) {
      const err = e instanceof ApiError ? e : new ApiError(0, "Error", String(e), []);
      setPreviewError(err);
      const known = Object.keys(err.fields).filter((k) => k in AGENT_RULES);
      if (known.length) setErrors((x) => ({ ...x, ...Object.fromEntries(known.map((k) => [k, err.fields[k]])) }));
    } finally {
      setBusy(false);
    }
  };

  return (
    <>
      <div className="grid two">
        <Field label={AGENT_RULES.voiceProvider.label} error={errors.voiceProvider}>
          {(id, d) => (
            <select
              id={id}
              aria-describedby={d}
              value={form.voiceProvider}
              onChange={(e) => {
                set("voiceProvider", e.target.value);
                set("voiceId", VOICE_PROVIDERS[e.target.value]?.voices?.[0] ?? "");
              }}
            >
              {Object.entries(VOICE_PROVIDERS).map(([k, p]) => (
                <option key={k} value={k}>
                  {p.label}
                </option>
              ))}
              {!provider && <option value={form.voiceProvider}>{form.voiceProvider}</option>}
            </select>
          )}
        </Field>
        <Field label={AGENT_RULES.voiceId.label} error={errors.voiceId} hint={provider?.hint}>
          {(id, d) =>
            provider && !provider.free ? (
              <select id={id} aria-describedby={d} value={form.voiceId} onChange={(e) => set("voiceId", e.target.value)}>
                {(provider.voices.includes(form.voiceId) ? provider.voices : [form.voiceId, ...provider.voices]).map((v) => (
                  <option key={v} value={v}>
                    {v}
                  </option>
                ))}
              </select>
            ) : (
              <>
                <input id={id} aria-describedby={d} autoComplete="off" maxLength={200} list={voices.length ? "agents-voices" : undefined} value={form.voiceId} onChange={(e) => set("voiceId", e.target.value)} />
                {voices.length > 0 && (
                  <datalist id="agents-voices">
                    {voices.map((v) => (
                      <option key={v} value={v} />
                    ))}
                  </datalist>
                )}
              </>
            )
          }
        </Field>
        {select("voiceStyle")}
        <span />
        {num("speechRate", 0.05, "0.5–2 × normal speed")}
        {num("pitch", 0.05, "0.5–2 × normal pitch")}
      </div>
      <div className="agents-preview">
        <Field label="Preview text">
          {(id) => <input id={id} value={previewText} maxLength={500} onChange={(e) => setPreviewText(e.target.value)} />}
        </Field>
        <div className="agents-preview-play">
          <button type="button" className="btn" disabled={busy || !previewText.trim()} onClick={preview}>
            {busy ? "Synthesising…" : "Preview voice"}
          </button>
          {audioUrl && <audio ref={audioRef} controls src={audioUrl} aria-label="Voice preview" />}
        </div>
        <ErrorBanner error={previewError} />
      </div>
    </>
  );
}
