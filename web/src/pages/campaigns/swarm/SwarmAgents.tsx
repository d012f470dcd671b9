// The agent grid (status with colour, current customer, totals, success rate,
// quality, measured resource use, variant), pause / activate / remove per agent, the "Add a swarm agent" form
// (a voice agent plus its variant) and the variant comparison (Wilson).
import { type FormEvent, useState } from "react";
import { Link } from "react-router";
import { del, patch, post } from "../../../lib/api";
import { duration } from "../../../lib/format";
import { Badge, Empty, ErrorBanner, Field, unmatchedError } from "../../../lib/ui";
import { rankVariants } from "../../../lib/wilson";
import type { SwarmAgent } from "../../../api/types";
import type { AgentSummary } from "../types";
import { PERSONALITIES, agentTone, campaignPath, pct, problemText, useAction } from "./common";

function variantText(a: { voiceModel: string | null; personalityProfile: string | null; scriptVersion: string | null }): string {
  return [a.scriptVersion && `script ${a.scriptVersion}`, a.voiceModel && `voice ${a.voiceModel}`, a.personalityProfile?.toLowerCase()]
    .filter(Boolean)
    .join(" · ") || "the voice agent's own";
}

/** A member's measured resource use (issue 18 §2): CPU time and API calls of its calls, its largest call's memory. */
function resourceText(a: { cpuMs: number; memoryBytes: number; apiCalls: number }): string {
  const cpu = a.cpuMs >= 1000 ? `${(a.cpuMs / 1000).toFixed(1)} s` : `${a.cpuMs} ms`;
  const mb = a.memoryBytes / (1024 * 1024);
  const mem = mb >= 10 ? `${mb.toFixed(0)} MB` : mb >= 0.1 ? `${mb.toFixed(1)} MB` : `${Math.round(a.memoryBytes / 1024)} kB`;
  return `${cpu} CPU · ${mem} peak · ${a.apiCalls} API`;
}

function AgentRow({ campaignId, agent, canWrite, onChanged }: { campaignId: string; agent: SwarmAgent; canWrite: boolean; onChanged: () => void }) {
  const act = useAction();
  const path = `${campaignPath(campaignId)}/agents/${encodeURIComponent(agent.id)}`;
  const paused = agent.status === "paused" || agent.status === "offline" || agent.status === "error";
  const errId = `swarm-agent-err-${agent.id}`;
  return (
    <tr>
      <th scope="row">{agent.name}</th>
      <td>
        <Badge tone={agentTone(agent.status)}>{agent.status}</Badge>
        {agent.errorMessage && <small className="swarm-block muted">{agent.errorMessage}</small>}
      </td>
      <td>
        {agent.currentCallId ? (
          <Link to={`/live/${agent.currentCallId}`}>{agent.currentCustomer || "on a call"}</Link>
        ) : (
          agent.currentCustomer || <span className="muted">—</span>
        )}
      </td>
      <td className="campaigns-num">{agent.totalCalls}</td>
      <td className="campaigns-num">{agent.successfulCalls}</td>
      <td className="campaigns-num">{agent.totalCalls ? pct(agent.successRate) : "—"}</td>
      <td className="campaigns-num">{agent.totalCalls ? duration(agent.averageDurationS) : "—"}</td>
      <td className="campaigns-num">{agent.qualityScore === null ? "—" : agent.qualityScore.toFixed(0)}</td>
      <td><small>{resourceText(agent)}</small></td>
      <td>{variantText(agent)}</td>
      {canWrite && (
        <td className="campaigns-nowrap">
          <div className="swarm-row-actions">
            {paused ? (
              <button type="button" className="btn small" disabled={act.busy} aria-describedby={act.error ? errId : undefined}
                onClick={() => act.run(() => patch(path, { status: "active" })).then((r) => r && onChanged())}>
                Activate<span className="campaigns-sr-only"> {agent.name}</span>
              </button>
            ) : (
              <button type="button" className="btn small" disabled={act.busy} aria-describedby={act.error ? errId : undefined}
                onClick={() => act.run(() => patch(path, { status: "paused" })).then((r) => r && onChanged())}>
                Pause<span className="campaigns-sr-only"> {agent.name}</span>
              </button>
            )}
            <button type="button" className="btn small" disabled={act.busy} aria-describedby={act.error ? errId : undefined}
              onClick={() => act.run(() => del(path).then(() => true)).then((r) => r && onChanged())}>
              Remove<span className="campaigns-sr-only"> {agent.name}</span>
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

export function AgentGrid({ campaignId, agents, canWrite, onChanged }: { campaignId: string; agents: SwarmAgent[]; canWrite: boolean; onChanged: () => void }) {
  if (agents.length === 0) return <Empty>No swarm agents yet. Add one below: each holds one call at a time.</Empty>;
  return (
    <div className="table-wrap">
      <table aria-label="Swarm agents">
        <thead>
          <tr>
            <th scope="col">Agent</th>
            <th scope="col">Status</th>
            <th scope="col">Current customer</th>
            <th scope="col" className="campaigns-num">Calls</th>
            <th scope="col" className="campaigns-num">Successful</th>
            <th scope="col" className="campaigns-num">Success rate</th>
            <th scope="col" className="campaigns-num">Avg duration</th>
            <th scope="col" className="campaigns-num">Quality</th>
            <th scope="col">Resources</th>
            <th scope="col">Variant</th>
            {canWrite && <th scope="col">Actions</th>}
          </tr>
        </thead>
        <tbody>
          {agents.map((a) => (
            <AgentRow key={a.id} campaignId={campaignId} agent={a} canWrite={canWrite} onChanged={onChanged} />
          ))}
        </tbody>
      </table>
    </div>
  );
}

const AGENT_FIELDS = ["voiceAgentId", "name", "voiceModel", "personalityProfile", "scriptVersion"];

export function AddAgentForm({ campaignId, voiceAgents, onAdded }: { campaignId: string; voiceAgents: AgentSummary[]; onAdded: () => void }) {
  const usable = voiceAgents.filter((a) => a.enabled);
  const [voiceAgentId, setVoiceAgentId] = useState("");
  const [name, setName] = useState("");
  const [voiceModel, setVoiceModel] = useState("");
  const [personality, setPersonality] = useState("");
  const [scriptVersion, setScriptVersion] = useState("");
  const [local, setLocal] = useState<Record<string, string>>({});
  const act = useAction();
  const chosen = voiceAgentId || usable[0]?.id || "";

  async function submit(e: FormEvent) {
    e.preventDefault();
    const errs: Record<string, string> = {};
    if (!chosen) errs.voiceAgentId = "create a voice agent on the Agents page first";
    if (!name.trim()) errs.name = "must not be empty";
    setLocal(errs);
    if (Object.keys(errs).length) return;
    const r = await act.run(() =>
      post(`${campaignPath(campaignId)}/agents`, {
        voiceAgentId: chosen,
        name: name.trim(),
        voiceModel: voiceModel.trim() || null,
        personalityProfile: personality || null,
        scriptVersion: scriptVersion.trim() || null,
      }),
    );
    if (r) {
      setName("");
      onAdded();
    }
  }
  const api = act.error?.fields ?? {};
  const err = (k: string) => local[k] ?? api[k];
  return (
    <form className="swarm-form" onSubmit={submit} noValidate aria-labelledby="swarm-add-agent-title">
      <h4 id="swarm-add-agent-title">Add a swarm agent</h4>
      <ErrorBanner error={unmatchedError(act.error, AGENT_FIELDS)} />
      <div className="campaigns-form-grid">
        <Field label="Voice agent" error={err("voiceAgentId")}>
          {(id, d) => (
            <select id={id} aria-describedby={d} value={chosen} onChange={(e) => setVoiceAgentId(e.target.value)}>
              {voiceAgents.length === 0 && <option value="">No voice agents yet</option>}
              {voiceAgents.map((a) => (
                <option key={a.id} value={a.id} disabled={!a.enabled}>
                  {a.name}
                  {a.enabled ? "" : " (disabled)"}
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field label="Agent name" error={err("name")} hint="Unique in the campaign.">
          {(id, d) => <input id={id} aria-describedby={d} value={name} maxLength={100} onChange={(e) => setName(e.target.value)} />}
        </Field>
        <Field label="Script version" error={err("scriptVersion")} hint="Variant, e.g. v2.">
          {(id, d) => (
            <input id={id} aria-describedby={d} value={scriptVersion} maxLength={100} onChange={(e) => setScriptVersion(e.target.value)} />
          )}
        </Field>
        <Field label="Voice model" error={err("voiceModel")} hint="Variant: overrides the agent's voice (e.g. slt).">
          {(id, d) => <input id={id} aria-describedby={d} value={voiceModel} maxLength={200} onChange={(e) => setVoiceModel(e.target.value)} />}
        </Field>
        <Field label="Personality" error={err("personalityProfile")}>
          {(id, d) => (
            <select id={id} aria-describedby={d} value={personality} onChange={(e) => setPersonality(e.target.value)}>
              <option value="">The voice agent's own</option>
              {PERSONALITIES.map((p) => (
                <option key={p} value={p}>
                  {p.toLowerCase()}
                </option>
              ))}
            </select>
          )}
        </Field>
      </div>
      <button type="submit" className="btn primary" disabled={act.busy}>
        {act.busy ? "Adding…" : "Add agent"}
      </button>
    </form>
  );
}

/** Variants (script version, voice, personality) ranked by the lower bound of their 95% Wilson interval. */
export function VariantTable({ agents }: { agents: SwarmAgent[] }) {
  const rows = rankVariants(agents);
  if (rows.length === 0) return <Empty>No variants yet.</Empty>;
  return (
    <div className="table-wrap">
      <table aria-label="Variant comparison" aria-describedby="swarm-variants-note">
        <thead>
          <tr>
            <th scope="col" className="campaigns-num">Rank</th>
            <th scope="col">Script version</th>
            <th scope="col">Voice</th>
            <th scope="col">Personality</th>
            <th scope="col" className="campaigns-num">Agents</th>
            <th scope="col" className="campaigns-num">Calls</th>
            <th scope="col" className="campaigns-num">Successful</th>
            <th scope="col" className="campaigns-num">Success rate</th>
            <th scope="col">95% interval</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((r, i) => (
            <tr key={`${r.scriptVersion}|${r.voiceModel}|${r.personalityProfile}`}>
              <td className="campaigns-num">{i + 1}</td>
              <td>{r.scriptVersion ?? "—"}</td>
              <td>{r.voiceModel ?? "—"}</td>
              <td>{r.personalityProfile?.toLowerCase() ?? "—"}</td>
              <td className="campaigns-num">{r.agents}</td>
              <td className="campaigns-num">{r.totalCalls}</td>
              <td className="campaigns-num">{r.successfulCalls}</td>
              <td className="campaigns-num">{r.totalCalls ? pct(r.rate) : "—"}</td>
              <td>{r.totalCalls ? `${pct(r.low)} – ${pct(r.high)}` : "no calls yet"}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <p id="swarm-variants-note" className="muted campaigns-small swarm-note">
        Ranked by the lower bound of the 95% Wilson score interval: a variant leads only when its calls show it is better, not
        after a lucky few.
      </p>
    </div>
  );
}
