// The campaign's call flow (issue 18 §5 and §10: "the call flow with measured
// step durations"): its steps in order as a table (phase, description, target
// and measured duration, script template, skip conditions and success criteria
// as readable text), a form that adds or edits a step (the conditions as JSON,
// the API's 422 shown beside the field it names, e.g.
// skipConditions[0].intentHeard), delete, and moving a step up or down.
//
// The measured durations are running means the server updates after each
// answered call of the campaign (store/script_templates.cpp record_call): the
// section re-reads when the overview's `tick` (the campaign's total calls,
// which the realtime API moves) changes, and after its own changes.
import { type FormEvent, useEffect, useRef, useState } from "react";
import { del, patch, post } from "../../../lib/api";
import { useAsync } from "../../../lib/hooks";
import { Badge, Empty, ErrorBanner, Field, Loading } from "../../../lib/ui";
import type { ApiError } from "../../../lib/api";
import type { CallFlowStep, ScriptTemplate } from "../../../api/types";
import { fetchAll } from "../util";
import { campaignPath, num, problemText, useAction } from "./common";

/** A skip condition as the API takes it (brain/step_conditions.hpp). */
type Condition = { variable?: string; exists?: boolean; equals?: unknown; in?: unknown[]; intentHeard?: string };
/** The object form of a success criterion. */
type Criteria = { intent?: string; anyIntent?: string[]; minTurns?: number; maxTurns?: number; description?: string };

const quote = (v: unknown) => (typeof v === "string" ? `"${v}"` : String(v));

/** "company exists", "city is \"Austin\"", "heard yes" … one condition as words. */
function conditionText(c: Condition): string {
  if (!c || typeof c !== "object") return JSON.stringify(c);
  if (c.intentHeard !== undefined) return `heard ${c.intentHeard}`;
  if (c.exists !== undefined) return `${c.variable} ${c.exists ? "exists" : "is missing"}`;
  if (c.equals !== undefined) return `${c.variable} is ${quote(c.equals)}`;
  if (Array.isArray(c.in)) return `${c.variable} is one of ${c.in.map(quote).join(", ")}`;
  return JSON.stringify(c);
}

/** The skipConditions value as "skip when … or …" ("" = never skipped). */
export function skipText(v: unknown): string {
  if (v === null || v === undefined) return "";
  const list = Array.isArray(v) ? v : [v];
  return list.length ? `skip when ${list.map((c) => conditionText(c as Condition)).join(" or ")}` : "";
}

/** The successCriteria value as "done when intent yes, up to 2 turns" ("" = none). */
export function successText(v: unknown): string {
  if (v === null || v === undefined || v === "") return "";
  if (typeof v === "string") return `done when: ${v}`;
  if (typeof v !== "object") return JSON.stringify(v);
  const c = v as Criteria;
  const parts: string[] = [];
  if (c.intent) parts.push(`intent ${c.intent}`);
  if (c.anyIntent?.length) parts.push(`intent ${c.anyIntent.join(" or ")}`);
  if (c.minTurns) parts.push(`at least ${c.minTurns} ${c.minTurns === 1 ? "answer" : "answers"}`);
  const head = parts.length ? `done when ${parts.join(", after ")}` : "done when answered";
  const max = c.maxTurns ?? 2;
  return `${head}, up to ${max} ${max === 1 ? "turn" : "turns"}${c.description ? ` (${c.description})` : ""}`;
}

const seconds = (s: number) => `${s < 100 ? s.toFixed(1) : Math.round(s)} s`;

/** The measured mean against the target: the figure, the calls measured, and over/within as words (not colour alone). */
function Measured({ s }: { s: CallFlowStep }) {
  if (!s.sampleCount) return <span className="muted">not measured yet</span>;
  const avg = s.averageDurationS;
  const calls = `${s.sampleCount} ${s.sampleCount === 1 ? "call" : "calls"}`;
  const target = s.targetDurationS;
  let verdict = null;
  if (target !== null && target !== undefined) {
    const diff = avg - target;
    verdict =
      diff > 0.05 ? <Badge tone="warn">{seconds(diff)} over target</Badge> : <Badge tone="good">within target</Badge>;
  }
  return (
    <span className="swarm-flow-measured">
      <span>
        {seconds(avg)} <span className="muted campaigns-small">({calls})</span>
      </span>
      {verdict}
    </span>
  );
}

/** Where a problem's field goes: the form's own key for "skipConditions[0].intentHeard" is skipConditions. */
const FIELDS = ["phase", "description", "targetDurationS", "scriptTemplateId", "fallbackScript", "skipConditions", "successCriteria", "order"];
function fieldOf(problemField: string): string | undefined {
  return FIELDS.find((f) => problemField === f || problemField.startsWith(`${f}[`) || problemField.startsWith(`${f}.`));
}
/** The API's messages for form field `k`, each with the path it names when that is deeper ("skipConditions[0].intentHeard: …"). */
function apiFieldError(e: ApiError | null, k: string): string | undefined {
  if (!e) return undefined;
  const msgs = Object.entries(e.fields)
    .filter(([f]) => fieldOf(f) === k)
    .map(([f, m]) => (f === k ? m : `${f}: ${m}`));
  return msgs.length ? msgs.join("; ") : undefined;
}
/** The error when none of its fields is one of the form's (shown above the form). */
function unmatched(e: ApiError | null): ApiError | null {
  if (!e) return null;
  return Object.keys(e.fields).some((f) => fieldOf(f)) ? null : e;
}

const SKIP_HINT =
  'JSON, optional: {"variable": "company", "exists": true}, {"variable": "city", "equals": "Austin"}, ' +
  '{"variable": "plan", "in": ["pro", "team"]} or {"intentHeard": "yes"}; an array of them skips when any matches. Empty: never skipped.';
const SUCCESS_HINT =
  'JSON, optional: {"intent": "yes", "maxTurns": 2}, {"anyIntent": ["yes", "question"], "minTurns": 1} (maxTurns 1–10, default 2), ' +
  "or plain text for an LLM agent (e.g. the contact gave a budget). Empty: none.";

/** A textarea's JSON (empty → null); `text` allows plain text that is not JSON-looking. */
function parseJson(raw: string, text: boolean): { value: unknown } | { error: string } {
  const t = raw.trim();
  if (t === "") return { value: null };
  try {
    return { value: JSON.parse(t) };
  } catch (e) {
    if (text && !/^[[{"]/.test(t)) return { value: t };
    return { error: `is not valid JSON: ${e instanceof Error ? e.message : String(e)}` };
  }
}
const jsonText = (v: unknown) => (v === null || v === undefined ? "" : typeof v === "string" ? v : JSON.stringify(v));

interface FormProps {
  campaignId: string;
  templates: ScriptTemplate[];
  /** The step edited (absent: a new step). */
  step?: CallFlowStep;
  nextOrder: number;
  onDone: () => void;
  onCancel?: () => void;
}

export function StepForm({ campaignId, templates, step, nextOrder, onDone, onCancel }: FormProps) {
  const [v, setV] = useState({
    phase: step?.phase ?? "",
    description: step?.description ?? "",
    targetDurationS: step?.targetDurationS === null || step?.targetDurationS === undefined ? "" : String(step.targetDurationS),
    scriptTemplateId: step?.scriptTemplateId ?? "",
    fallbackScript: step?.fallbackScript ?? "",
    skipConditions: jsonText(step?.skipConditions),
    successCriteria: jsonText(step?.successCriteria),
    order: String(step?.order ?? nextOrder),
  });
  const [local, setLocal] = useState<Record<string, string>>({});
  const act = useAction();
  const first = useRef<HTMLInputElement>(null);
  useEffect(() => {
    if (step) first.current?.focus();
  }, [step]);
  const set = (k: keyof typeof v) => (e: { target: { value: string } }) => setV((x) => ({ ...x, [k]: e.target.value }));
  const titleId = step ? "swarm-edit-step-title" : "swarm-add-step-title";

  async function submit(ev: FormEvent) {
    ev.preventDefault();
    const errs: Record<string, string> = {};
    if (!v.phase.trim()) errs.phase = "must not be empty";
    const target = num(v.targetDurationS);
    if (v.targetDurationS.trim() !== "" && target === undefined) errs.targetDurationS = "must be a number of seconds (or empty)";
    const order = num(v.order);
    if (order === undefined) errs.order = "must be a number";
    const skip = parseJson(v.skipConditions, false);
    if ("error" in skip) errs.skipConditions = skip.error;
    const success = parseJson(v.successCriteria, true);
    if ("error" in success) errs.successCriteria = success.error;
    setLocal(errs);
    if (Object.keys(errs).length || "error" in skip || "error" in success) return;
    const body = {
      phase: v.phase.trim(),
      description: v.description.trim() || null,
      targetDurationS: target ?? null,
      scriptTemplateId: v.scriptTemplateId || null,
      fallbackScript: v.fallbackScript.trim() || null,
      skipConditions: skip.value,
      successCriteria: success.value,
      order,
    };
    const base = `${campaignPath(campaignId)}/call-flow`;
    const r = await act.run(() => (step ? patch(`${base}/${encodeURIComponent(step.id)}`, body) : post(base, body)));
    if (r) {
      if (!step) setV((x) => ({ ...x, phase: "", description: "", fallbackScript: "", skipConditions: "", successCriteria: "", order: String(Number(x.order) + 1) }));
      onDone();
    }
  }
  const err = (k: string) => local[k] ?? apiFieldError(act.error, k);
  const verb = step ? "Save step" : "Add step";
  return (
    <form className="swarm-form" onSubmit={submit} noValidate aria-labelledby={titleId}>
      <h4 id={titleId}>{step ? `Edit step ${step.phase}` : "Add a call-flow step"}</h4>
      <ErrorBanner error={unmatched(act.error)} />
      <div className="campaigns-form-grid">
        <Field label="Phase" error={err("phase")} hint="opening, discovery, value_proposition, objection_handling, closing, or a question step's name.">
          {(id, d) => <input ref={first} id={id} aria-describedby={d} value={v.phase} maxLength={100} onChange={set("phase")} />}
        </Field>
        <Field label="Target duration (s)" error={err("targetDurationS")} hint="0–3600; empty: none.">
          {(id, d) => (
            <input id={id} aria-describedby={d} type="number" min={0} max={3600} step={1} inputMode="numeric" value={v.targetDurationS} onChange={set("targetDurationS")} />
          )}
        </Field>
        <Field label="Script template" error={err("scriptTemplateId")}>
          {(id, d) => (
            <select id={id} aria-describedby={d} value={v.scriptTemplateId} onChange={set("scriptTemplateId")}>
              <option value="">None (fallback script)</option>
              {templates.map((t) => (
                <option key={t.id} value={t.id}>
                  {t.name} (v{t.version}){t.isActive ? "" : " — inactive"}
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field label="Step order" error={err("order")} hint="0–10000, ascending.">
          {(id, d) => <input id={id} aria-describedby={d} type="number" min={0} max={10000} step={1} inputMode="numeric" value={v.order} onChange={set("order")} />}
        </Field>
      </div>
      <Field label="Step description" error={err("description")}>
        {(id, d) => <input id={id} aria-describedby={d} value={v.description} maxLength={2000} onChange={set("description")} />}
      </Field>
      <Field label="Fallback script" error={err("fallbackScript")} hint="Spoken when the step has no template.">
        {(id, d) => <textarea id={id} aria-describedby={d} className="swarm-flow-text" maxLength={4000} value={v.fallbackScript} onChange={set("fallbackScript")} />}
      </Field>
      <div className="swarm-two">
        <Field label="Skip conditions" error={err("skipConditions")} hint={SKIP_HINT}>
          {(id, d) => <textarea id={id} aria-describedby={d} className="swarm-flow-json" spellCheck={false} value={v.skipConditions} onChange={set("skipConditions")} />}
        </Field>
        <Field label="Success criteria" error={err("successCriteria")} hint={SUCCESS_HINT}>
          {(id, d) => <textarea id={id} aria-describedby={d} className="swarm-flow-json" spellCheck={false} value={v.successCriteria} onChange={set("successCriteria")} />}
        </Field>
      </div>
      <div className="swarm-row-actions">
        <button type="submit" className="btn primary" disabled={act.busy}>
          {act.busy ? (step ? "Saving…" : "Adding…") : verb}
        </button>
        {onCancel && (
          <button type="button" className="btn" onClick={onCancel}>
            Cancel
          </button>
        )}
      </div>
    </form>
  );
}

function StepRow(props: {
  campaignId: string; s: CallFlowStep; index: number; count: number; templateName: string | null; canWrite: boolean;
  onEdit: () => void; onMove: (dir: -1 | 1) => Promise<unknown>; onChanged: () => void;
}) {
  const { campaignId, s, index, count, templateName, canWrite, onEdit, onMove, onChanged } = props;
  const act = useAction();
  const path = `${campaignPath(campaignId)}/call-flow/${encodeURIComponent(s.id)}`;
  const skip = skipText(s.skipConditions);
  const success = successText(s.successCriteria);
  const errId = `swarm-step-${s.id}-error`;
  return (
    <tr>
      <td className="campaigns-num">{s.order}</td>
      <th scope="row">{s.phase}</th>
      <td className="swarm-flow-desc">{s.description ?? <span className="muted">—</span>}</td>
      <td className="campaigns-num campaigns-nowrap">{s.targetDurationS === null || s.targetDurationS === undefined ? "—" : `${s.targetDurationS} s`}</td>
      <td className="campaigns-nowrap">
        <Measured s={s} />
      </td>
      <td>{s.scriptTemplateId ? templateName ?? <span className="muted">unknown template</span> : <span className="muted">none (fallback script)</span>}</td>
      <td className="campaigns-small">{skip || <span className="muted">never skipped</span>}</td>
      <td className="campaigns-small">{success || <span className="muted">none</span>}</td>
      {canWrite && (
        <td>
          <div className="swarm-row-actions">
            <button type="button" id={`swarm-step-edit-${s.id}`} className="btn small" disabled={act.busy} onClick={onEdit}>
              Edit<span className="campaigns-sr-only"> step {s.phase}</span>
            </button>
            <button type="button" className="btn small" disabled={act.busy || index === 0}
              onClick={() => act.run(() => onMove(-1)).then(() => onChanged())}>
              <span aria-hidden="true">↑</span>
              <span className="campaigns-sr-only">Move step {s.phase} up</span>
            </button>
            <button type="button" className="btn small" disabled={act.busy || index === count - 1}
              onClick={() => act.run(() => onMove(1)).then(() => onChanged())}>
              <span aria-hidden="true">↓</span>
              <span className="campaigns-sr-only">Move step {s.phase} down</span>
            </button>
            <button type="button" className="btn small" disabled={act.busy}
              onClick={() => act.run(() => del(path).then(() => true)).then((x) => x && onChanged())}>
              Delete<span className="campaigns-sr-only"> step {s.phase}</span>
            </button>
          </div>
          {act.error && (
            <small id={errId} className="field-error swarm-block" role="alert">
              {problemText(act.error)}
            </small>
          )}
        </td>
      )}
    </tr>
  );
}

/** The steps in flow order (ties: the older first, as the brains take them). */
async function loadSteps(campaignId: string) {
  const steps = (await fetchAll<CallFlowStep>(`${campaignPath(campaignId)}/call-flow`, {}, 4)).items;
  return [...steps].sort((a, b) => a.order - b.order || a.createdAt.localeCompare(b.createdAt));
}

/**
 * The "Call flow" part of the Swarm overview. `tick` is a value that moves
 * when calls end (the campaign's total calls): the measured durations are re-read then.
 */
export function CallFlow({ campaignId, canWrite, tick }: { campaignId: string; canWrite: boolean; tick: number }) {
  const data = useAsync(() => loadSteps(campaignId), [campaignId]);
  // The workspace's templates (for their names and the form's choice), read once: calls ending do not change them.
  const tpl = useAsync(() => fetchAll<ScriptTemplate>("/api/script-templates", {}, 4).then((r) => r.items), [campaignId]);
  const [editing, setEditing] = useState<string | null>(null);
  useEffect(() => {
    if (data.data) data.reload();
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [tick]);
  const failed = data.error ?? tpl.error;
  if (!data.data || !tpl.data)
    return failed ? <ErrorBanner error={failed} onRetry={() => { data.reload(); tpl.reload(); }} /> : <Loading what="Loading the call flow" />;
  const steps = data.data;
  const templates = tpl.data;
  const names = new Map(templates.map((t) => [t.id, t.name]));
  const nextOrder = steps.length ? Math.min(10000, Math.max(...steps.map((s) => s.order)) + 1) : 1;
  const edited = steps.find((s) => s.id === editing);

  /** Closes the edit form, giving the focus back to the step's Edit button (the form it was in is gone). */
  function closeEdit(id: string) {
    setEditing(null);
    requestAnimationFrame(() => document.getElementById(`swarm-step-edit-${id}`)?.focus());
  }

  /** Swaps step i with its neighbour: the flow is renumbered 1, 2, … and the steps whose order changes are patched. */
  async function move(i: number, dir: -1 | 1) {
    const list = [...steps];
    [list[i], list[i + dir]] = [list[i + dir], list[i]];
    for (const [j, s] of list.entries())
      if (s.order !== j + 1) await patch(`${campaignPath(campaignId)}/call-flow/${encodeURIComponent(s.id)}`, { order: j + 1 });
  }

  return (
    <>
      {data.error && <ErrorBanner error={data.error} onRetry={data.reload} />}
      <p className="muted campaigns-small swarm-note">
        The steps an agent takes on each call, in order; the measured duration is the mean time answered calls spent in the step.
      </p>
      {steps.length === 0 ? (
        <Empty>No call-flow steps yet: calls follow the agent's script.</Empty>
      ) : (
        <div className="table-wrap">
          <table aria-label="Call flow steps">
            <thead>
              <tr>
                <th scope="col" className="campaigns-num">Order</th>
                <th scope="col">Phase</th>
                <th scope="col">Description</th>
                <th scope="col" className="campaigns-num">Target</th>
                <th scope="col">Measured</th>
                <th scope="col">Script template</th>
                <th scope="col">Skip conditions</th>
                <th scope="col">Success criteria</th>
                {canWrite && <th scope="col">Actions</th>}
              </tr>
            </thead>
            <tbody>
              {steps.map((s, i) => (
                <StepRow key={s.id} campaignId={campaignId} s={s} index={i} count={steps.length}
                  templateName={s.scriptTemplateId ? names.get(s.scriptTemplateId) ?? null : null} canWrite={canWrite}
                  onEdit={() => setEditing(s.id)} onMove={(dir) => move(i, dir)} onChanged={data.reload} />
              ))}
            </tbody>
          </table>
        </div>
      )}
      {canWrite &&
        (edited ? (
          <StepForm key={edited.id} campaignId={campaignId} templates={templates} step={edited} nextOrder={nextOrder}
            onDone={() => { closeEdit(edited.id); data.reload(); }} onCancel={() => closeEdit(edited.id)} />
        ) : (
          <StepForm key="new" campaignId={campaignId} templates={templates} nextOrder={nextOrder} onDone={data.reload} />
        ))}
    </>
  );
}
