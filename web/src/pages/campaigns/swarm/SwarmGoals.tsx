// Objectives (progress bars; add, mark critical, delete) and the autoscaling
// rules editor (table + form with every field of the swarm specification's rule).
import { type FormEvent, useState } from "react";
import { del, patch, post } from "../../../lib/api";
import { dateTime } from "../../../lib/format";
import { Badge, Empty, ErrorBanner, Field, ProgressBar, unmatchedError } from "../../../lib/ui";
import type { AutoscalingRule, Objective } from "../../../api/types";
import { ACTIONS, METRICS, OPERATORS, RULE_TYPES, UNITS, campaignPath, num, problemText, useAction } from "./common";

function ObjectiveItem({ campaignId, o, canWrite, onChanged }: { campaignId: string; o: Objective; canWrite: boolean; onChanged: () => void }) {
  const act = useAction();
  const path = `${campaignPath(campaignId)}/objectives/${encodeURIComponent(o.id)}`;
  const tone = o.status === "completed" ? "good" : o.status === "failed" ? "bad" : o.status === "in_progress" ? "info" : "neutral";
  return (
    <li className="swarm-objective">
      <div className="swarm-objective-head">
        <strong>{o.objective}</strong> <Badge tone={tone}>{o.status.replace("_", " ")}</Badge>
        {o.isCritical && <Badge tone="warn">critical</Badge>}
        <span className="muted campaigns-small">priority {o.priority}</span>
      </div>
      {o.description && <p className="muted campaigns-small swarm-note">{o.description}</p>}
      <ProgressBar value={o.currentValue} max={o.targetValue} label={`${o.objective} progress`} />
      <small>
        {o.currentValue} / {o.targetValue} {o.unit} ({o.completionPercentage.toFixed(0)}%)
      </small>
      {canWrite && (
        <div className="swarm-row-actions">
          <label className="check swarm-inline">
            <input type="checkbox" checked={o.isCritical} disabled={act.busy}
              onChange={(e) => act.run(() => patch(path, { isCritical: e.target.checked })).then((r) => r && onChanged())} />
            Critical<span className="campaigns-sr-only">: {o.objective}</span>
          </label>
          <button type="button" className="btn small" disabled={act.busy}
            onClick={() => act.run(() => del(path).then(() => true)).then((r) => r && onChanged())}>
            Delete<span className="campaigns-sr-only"> objective {o.objective}</span>
          </button>
        </div>
      )}
      {act.error && (
        <small className="field-error swarm-block" role="alert">
          {problemText(act.error)}
        </small>
      )}
    </li>
  );
}

export function Objectives({ campaignId, objectives, canWrite, onChanged }: { campaignId: string; objectives: Objective[]; canWrite: boolean; onChanged: () => void }) {
  const sorted = [...objectives].sort((a, b) => a.order - b.order || b.priority - a.priority);
  return sorted.length === 0 ? (
    <Empty>No objectives yet.</Empty>
  ) : (
    <ul className="swarm-objectives" aria-label="Objectives">
      {sorted.map((o) => (
        <ObjectiveItem key={o.id} campaignId={campaignId} o={o} canWrite={canWrite} onChanged={onChanged} />
      ))}
    </ul>
  );
}

const OBJECTIVE_FIELDS = ["objective", "targetValue", "unit", "priority", "isCritical", "description"];

export function AddObjectiveForm({ campaignId, onAdded }: { campaignId: string; onAdded: () => void }) {
  const [objective, setObjective] = useState("");
  const [target, setTarget] = useState("10");
  const [unit, setUnit] = useState<string>("calls");
  const [priority, setPriority] = useState("5");
  const [critical, setCritical] = useState(false);
  const [local, setLocal] = useState<Record<string, string>>({});
  const act = useAction();

  async function submit(e: FormEvent) {
    e.preventDefault();
    const errs: Record<string, string> = {};
    if (!objective.trim()) errs.objective = "must not be empty";
    const t = num(target);
    if (t === undefined || t <= 0) errs.targetValue = "must be a number above 0";
    const p = num(priority);
    if (p === undefined || !Number.isInteger(p) || p < 1 || p > 10) errs.priority = "must be an integer from 1 to 10";
    setLocal(errs);
    if (Object.keys(errs).length) return;
    const r = await act.run(() =>
      post(`${campaignPath(campaignId)}/objectives`, { objective: objective.trim(), targetValue: t, unit, priority: p, isCritical: critical }),
    );
    if (r) {
      setObjective("");
      onAdded();
    }
  }
  const err = (k: string) => local[k] ?? act.error?.fields[k];
  return (
    <form className="swarm-form" onSubmit={submit} noValidate aria-labelledby="swarm-add-objective-title">
      <h4 id="swarm-add-objective-title">Add an objective</h4>
      <ErrorBanner error={unmatchedError(act.error, OBJECTIVE_FIELDS)} />
      <div className="campaigns-form-grid">
        <Field label="Objective" error={err("objective")}>
          {(id, d) => <input id={id} aria-describedby={d} value={objective} maxLength={200} onChange={(e) => setObjective(e.target.value)} />}
        </Field>
        <Field label="Target" error={err("targetValue")}>
          {(id, d) => (
            <input id={id} aria-describedby={d} type="number" min={0} step="any" inputMode="decimal" value={target} onChange={(e) => setTarget(e.target.value)} />
          )}
        </Field>
        <Field label="Unit" error={err("unit")}>
          {(id, d) => (
            <select id={id} aria-describedby={d} value={unit} onChange={(e) => setUnit(e.target.value)}>
              {UNITS.map((u) => (
                <option key={u} value={u}>
                  {u}
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field label="Objective priority" error={err("priority")} hint="1–10.">
          {(id, d) => (
            <input id={id} aria-describedby={d} type="number" min={1} max={10} step={1} inputMode="numeric" value={priority} onChange={(e) => setPriority(e.target.value)} />
          )}
        </Field>
      </div>
      <label className="check">
        <input type="checkbox" checked={critical} onChange={(e) => setCritical(e.target.checked)} />
        Critical (the campaign may complete when every critical objective is met)
      </label>
      <button type="submit" className="btn primary" disabled={act.busy}>
        {act.busy ? "Adding…" : "Add objective"}
      </button>
    </form>
  );
}

function RuleRow({ campaignId, r, canWrite, onChanged }: { campaignId: string; r: AutoscalingRule; canWrite: boolean; onChanged: () => void }) {
  const act = useAction();
  const path = `${campaignPath(campaignId)}/autoscaling-rules/${encodeURIComponent(r.id)}`;
  return (
    <tr>
      <th scope="row">{r.name}</th>
      <td>{r.ruleType.replace("_", " ")}</td>
      <td className="campaigns-nowrap">
        <code>
          {r.metric} {r.operator} {r.threshold}
        </code>
      </td>
      <td className="campaigns-nowrap">
        {r.action === "maintain" ? "maintain" : `${r.action === "scale_up" ? "+" : "−"}${r.scaleAmount} (${r.action.replace("_", " ")})`}
      </td>
      <td className="campaigns-num">{r.cooldownSeconds} s</td>
      <td className="campaigns-num campaigns-nowrap">
        {r.minAgents}–{r.maxAgents}
      </td>
      <td className="campaigns-num">{r.maxCostPerHour ?? "—"}</td>
      <td className="campaigns-num">{r.priority}</td>
      <td>
        {canWrite ? (
          <label className="check swarm-inline">
            <input type="checkbox" checked={r.isActive} disabled={act.busy}
              onChange={(e) => act.run(() => patch(path, { isActive: e.target.checked })).then((x) => x && onChanged())} />
            <span className="campaigns-sr-only">Rule {r.name} active</span>
            <span aria-hidden="true">{r.isActive ? "yes" : "no"}</span>
          </label>
        ) : r.isActive ? (
          "yes"
        ) : (
          "no"
        )}
      </td>
      <td className="campaigns-small">
        {r.triggerCount}× {r.lastTriggeredAt ? `· ${dateTime(r.lastTriggeredAt)}` : ""}
      </td>
      {canWrite && (
        <td>
          <button type="button" className="btn small" disabled={act.busy}
            onClick={() => act.run(() => del(path).then(() => true)).then((x) => x && onChanged())}>
            Delete<span className="campaigns-sr-only"> rule {r.name}</span>
          </button>
          {act.error && (
            <small className="field-error swarm-block" role="alert">
              {problemText(act.error)}
            </small>
          )}
        </td>
      )}
    </tr>
  );
}

export function RulesTable({ campaignId, rules, canWrite, onChanged }: { campaignId: string; rules: AutoscalingRule[]; canWrite: boolean; onChanged: () => void }) {
  if (rules.length === 0) return <Empty>No autoscaling rules yet.</Empty>;
  const sorted = [...rules].sort((a, b) => b.priority - a.priority);
  return (
    <div className="table-wrap">
      <table aria-label="Autoscaling rules">
        <thead>
          <tr>
            <th scope="col">Rule</th>
            <th scope="col">Type</th>
            <th scope="col">When</th>
            <th scope="col">Action</th>
            <th scope="col" className="campaigns-num">Cooldown</th>
            <th scope="col" className="campaigns-num">Agents</th>
            <th scope="col" className="campaigns-num">Max cost/h</th>
            <th scope="col" className="campaigns-num">Priority</th>
            <th scope="col">Active</th>
            <th scope="col">Triggered</th>
            {canWrite && <th scope="col">Actions</th>}
          </tr>
        </thead>
        <tbody>
          {sorted.map((r) => (
            <RuleRow key={r.id} campaignId={campaignId} r={r} canWrite={canWrite} onChanged={onChanged} />
          ))}
        </tbody>
      </table>
    </div>
  );
}

const RULE_FIELDS = ["name", "ruleType", "metric", "operator", "threshold", "action", "scaleAmount", "cooldownSeconds", "minAgents", "maxAgents", "maxCostPerHour", "priority", "isActive"];

export function RuleForm({ campaignId, onAdded }: { campaignId: string; onAdded: () => void }) {
  const [v, setV] = useState({
    name: "", ruleType: "queue_based", metric: "queue_depth", operator: ">", threshold: "10", action: "scale_up",
    scaleAmount: "1", cooldownSeconds: "60", minAgents: "0", maxAgents: "1000", maxCostPerHour: "", priority: "5",
  });
  const [isActive, setIsActive] = useState(true);
  const [local, setLocal] = useState<Record<string, string>>({});
  const act = useAction();
  const set = (k: keyof typeof v) => (e: { target: { value: string } }) => setV((x) => ({ ...x, [k]: e.target.value }));

  function check(): Record<string, string> {
    const e: Record<string, string> = {};
    if (!v.name.trim()) e.name = "must not be empty";
    if (num(v.threshold) === undefined) e.threshold = "must be a number";
    const int = (k: keyof typeof v, lo: number, hi: number) => {
      const n = num(v[k]);
      if (n === undefined || !Number.isInteger(n) || n < lo || n > hi) e[k] = `must be an integer from ${lo} to ${hi}`;
    };
    int("scaleAmount", 1, 100);
    int("cooldownSeconds", 0, 86400);
    int("minAgents", 0, 1000);
    int("maxAgents", 0, 1000);
    int("priority", 0, 100);
    if (!e.minAgents && !e.maxAgents && Number(v.minAgents) > Number(v.maxAgents)) e.minAgents = "must not exceed maxAgents";
    if (v.maxCostPerHour.trim() !== "" && (num(v.maxCostPerHour) === undefined || Number(v.maxCostPerHour) < 0))
      e.maxCostPerHour = "must be a number from 0 (or empty: no cap)";
    return e;
  }

  async function submit(ev: FormEvent) {
    ev.preventDefault();
    const errs = check();
    setLocal(errs);
    if (Object.keys(errs).length) return;
    const r = await act.run(() =>
      post(`${campaignPath(campaignId)}/autoscaling-rules`, {
        name: v.name.trim(), ruleType: v.ruleType, metric: v.metric, operator: v.operator, threshold: Number(v.threshold),
        action: v.action, scaleAmount: Number(v.scaleAmount), cooldownSeconds: Number(v.cooldownSeconds),
        minAgents: Number(v.minAgents), maxAgents: Number(v.maxAgents),
        maxCostPerHour: v.maxCostPerHour.trim() === "" ? null : Number(v.maxCostPerHour), priority: Number(v.priority), isActive,
      }),
    );
    if (r) {
      setV((x) => ({ ...x, name: "" }));
      onAdded();
    }
  }
  const err = (k: string) => local[k] ?? act.error?.fields[k];
  const select = (label: string, k: keyof typeof v, options: readonly string[], hint?: string) => (
    <Field label={label} error={err(k)} hint={hint}>
      {(id, d) => (
        <select id={id} aria-describedby={d} value={v[k]} onChange={set(k)}>
          {options.map((o) => (
            <option key={o} value={o}>
              {o}
            </option>
          ))}
        </select>
      )}
    </Field>
  );
  const number = (label: string, k: keyof typeof v, hint?: string) => (
    <Field label={label} error={err(k)} hint={hint}>
      {(id, d) => <input id={id} aria-describedby={d} type="number" step="any" inputMode="decimal" value={v[k]} onChange={set(k)} />}
    </Field>
  );
  return (
    <form className="swarm-form" onSubmit={submit} noValidate aria-labelledby="swarm-add-rule-title">
      <h4 id="swarm-add-rule-title">Add an autoscaling rule</h4>
      <ErrorBanner error={unmatchedError(act.error, RULE_FIELDS)} />
      <div className="campaigns-form-grid">
        <Field label="Rule name" error={err("name")}>
          {(id, d) => <input id={id} aria-describedby={d} value={v.name} maxLength={200} onChange={set("name")} />}
        </Field>
        {select("Rule type", "ruleType", RULE_TYPES)}
        {select("Metric", "metric", METRICS, "wait_time s, turn_latency ms, rates 0–1.")}
        {select("Operator", "operator", OPERATORS)}
        {number("Threshold", "threshold")}
        {select("Action", "action", ACTIONS)}
        {number("Scale amount", "scaleAmount", "1–100 agents per trigger.")}
        {number("Cooldown (seconds)", "cooldownSeconds", "0–86400.")}
        {number("Rule min agents", "minAgents")}
        {number("Rule max agents", "maxAgents")}
        {number("Max cost per hour", "maxCostPerHour", "Empty: no cap.")}
        {number("Rule priority", "priority", "0–100, higher first.")}
      </div>
      <label className="check">
        <input type="checkbox" checked={isActive} onChange={(e) => setIsActive(e.target.checked)} />
        Rule is active
      </label>
      <button type="submit" className="btn primary" disabled={act.busy}>
        {act.busy ? "Adding…" : "Add rule"}
      </button>
    </form>
  );
}
