// "Start a job": agent, upload, pacing, calling window, retries → POST /api/jobs.
// The checks mirror the dialer's (src/campaign/dialer.cpp, calling_hours.cpp);
// the API's own message is shown beside the field it names.
import { type FormEvent, useMemo, useState } from "react";
import { useNavigate } from "react-router";
import { ApiError, post } from "../../lib/api";
import { ErrorBanner, Field } from "../../lib/ui";
import type { AgentSummary, Job, Upload } from "./types";
import { WEEKDAYS, browserTimeZone, timeZones } from "./util";

const HHMM = /^([01]\d|2[0-3]):[0-5]\d$/;
const HHMM_END = /^(([01]\d|2[0-3]):[0-5]\d|24:00)$/;

interface Props {
  campaignId: string;
  agents: AgentSummary[];
  uploads: Upload[];
}

type Errors = Record<string, string>;

export function JobForm({ campaignId, agents, uploads }: Props) {
  const navigate = useNavigate();
  const callable = uploads.filter((u) => u.importedRows > 0);
  const enabledAgents = agents.filter((a) => a.enabled);
  const [agentId, setAgentId] = useState("");
  const [uploadId, setUploadId] = useState("");
  const [maxConcurrent, setMaxConcurrent] = useState("5");
  const [cps, setCps] = useState("1");
  const [useWindow, setUseWindow] = useState(true);
  const [start, setStart] = useState("09:00");
  const [end, setEnd] = useState("20:00");
  const [timezone, setTimezone] = useState(browserTimeZone);
  const [days, setDays] = useState<number[]>([1, 2, 3, 4, 5]);
  const [maxAttempts, setMaxAttempts] = useState("3");
  const [backoff, setBackoff] = useState("30");
  const [busy, setBusy] = useState(false);
  const [tried, setTried] = useState(false);
  const [apiError, setApiError] = useState<ApiError | null>(null);
  const zones = useMemo(timeZones, []);

  // The selects default to the first usable agent and the newest upload.
  const agent = agentId || enabledAgents[0]?.id || "";
  const uploadSel = uploadId || callable[0]?.id || "";

  function check(): Errors {
    const e: Errors = {};
    if (!agent) e.agentId = "choose an agent (create one on the Agents page)";
    if (!uploadSel) e.uploadId = "upload a contact list with at least one callable row first";
    const mc = Number(maxConcurrent);
    if (!Number.isInteger(mc) || mc < 1 || mc > 10000) e.maxConcurrent = "must be a whole number from 1 to 10000";
    const c = Number(cps);
    if (cps.trim() === "" || !Number.isFinite(c) || c < 0.01 || c > 1000) e.callsPerSecond = "must be a number from 0.01 to 1000";
    const ma = Number(maxAttempts);
    if (!Number.isInteger(ma) || ma < 1 || ma > 10) e["retry.maxAttempts"] = "must be an integer from 1 to 10";
    const b = Number(backoff);
    if (backoff.trim() === "" || !Number.isFinite(b) || b < 0 || b > 10080)
      e["retry.backoffMinutes"] = "must be a number of minutes from 0 to 10080";
    if (useWindow) {
      if (!HHMM.test(start)) e["callingWindow.start"] = 'must be "HH:MM" (24-hour, 00:00-23:59)';
      if (!HHMM_END.test(end) || end === "00:00") e["callingWindow.end"] = 'must be "HH:MM" (24-hour, 00:01-24:00)';
      else if (start === end) e["callingWindow.end"] = "must differ from start (use 00:00-24:00 for the whole day)";
      if (!timezone.trim()) e["callingWindow.timezone"] = "is required";
      else if (zones.length > 1 && !zones.includes(timezone.trim()))
        e["callingWindow.timezone"] = 'must be an IANA time zone name such as "America/New_York"';
      if (days.length === 0) e["callingWindow.daysOfWeek"] = "choose at least one day";
    }
    return e;
  }

  async function submit(ev: FormEvent) {
    ev.preventDefault();
    setApiError(null);
    const e = check();
    setTried(true);
    if (Object.keys(e).length) {
      const first = Object.keys(e)[0];
      document.querySelector<HTMLElement>(`[data-field="${first}"]`)?.focus();
      return;
    }
    setBusy(true);
    try {
      const job = await post<Job>("/api/jobs", {
        campaignId,
        uploadId: uploadSel,
        agentId: agent,
        maxConcurrent: Number(maxConcurrent),
        callsPerSecond: Number(cps),
        retry: { maxAttempts: Number(maxAttempts), backoffMinutes: Number(backoff) },
        callingWindow: useWindow ? { start, end, timezone: timezone.trim(), daysOfWeek: [...days].sort((a, b) => a - b) } : null,
      });
      navigate(`/jobs/${job.id}`);
    } catch (err) {
      setApiError(err as ApiError);
      setBusy(false);
    }
  }

  // Client-side checks show after the first submit and follow every edit.
  const local = tried ? check() : {};
  const api = apiError?.fields ?? {};
  const err = (k: string) => local[k] ?? api[k];
  const shownFields = [
    "agentId", "uploadId", "maxConcurrent", "callsPerSecond", "retry", "retry.maxAttempts", "retry.backoffMinutes",
    "callingWindow", "callingWindow.start", "callingWindow.end", "callingWindow.timezone", "callingWindow.daysOfWeek",
  ];
  const unplaced = apiError && !Object.keys(api).some((k) => shownFields.includes(k));

  return (
    <form className="campaigns-job-form" onSubmit={submit} noValidate aria-labelledby="campaigns-job-title">
      <h2 id="campaigns-job-title">Start a job</h2>
      {unplaced && <ErrorBanner error={apiError} />}
      {apiError && !unplaced && (
        <p className="campaigns-form-note" role="alert">
          The server refused the job: see the marked fields.
        </p>
      )}
      <div className="campaigns-form-grid">
        <Field label="Agent" error={err("agentId")} hint={enabledAgents.length === 0 ? "No enabled agent: create one on the Agents page." : undefined}>
          {(id, d) => (
            <select id={id} data-field="agentId" aria-describedby={d} value={agent} onChange={(e) => setAgentId(e.target.value)}>
              {agents.length === 0 && <option value="">No agents yet</option>}
              {agents.map((a) => (
                <option key={a.id} value={a.id} disabled={!a.enabled}>
                  {a.name}
                  {a.enabled ? "" : " (disabled)"}
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field label="Contact list" error={err("uploadId")}>
          {(id, d) => (
            <select id={id} data-field="uploadId" aria-describedby={d} value={uploadSel} onChange={(e) => setUploadId(e.target.value)}>
              {callable.length === 0 && <option value="">No upload with contacts yet</option>}
              {callable.map((u) => (
                <option key={u.id} value={u.id}>
                  {u.filename} — {u.importedRows} contacts ({new Date(u.createdAt).toLocaleString()})
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field label="Max concurrent calls" error={err("maxConcurrent")} hint="1–10000 calls at once.">
          {(id, d) => (
            <input id={id} data-field="maxConcurrent" aria-describedby={d} type="number" min={1} max={10000} step={1}
              inputMode="numeric" value={maxConcurrent} onChange={(e) => setMaxConcurrent(e.target.value)} />
          )}
        </Field>
        <Field label="Calls per second" error={err("callsPerSecond")} hint="New calls per second: the trunk's CPS limit (0.01–1000).">
          {(id, d) => (
            <input id={id} data-field="callsPerSecond" aria-describedby={d} type="number" min={0.01} max={1000} step="any"
              inputMode="decimal" value={cps} onChange={(e) => setCps(e.target.value)} />
          )}
        </Field>
      </div>

      <fieldset className="campaigns-fieldset">
        <legend>Calling window</legend>
        <label className="check">
          <input type="checkbox" checked={useWindow} onChange={(e) => setUseWindow(e.target.checked)} />
          Only call inside a calling window
        </label>
        {err("callingWindow") && (
          <small className="field-error" role="alert">
            {err("callingWindow")}
          </small>
        )}
        {useWindow && (
          <>
            <div className="campaigns-form-grid">
              <Field label="Window start" error={err("callingWindow.start")} hint="HH:MM, 24-hour.">
                {(id, d) => (
                  <input id={id} data-field="callingWindow.start" aria-describedby={d} value={start} placeholder="09:00"
                    inputMode="numeric" maxLength={5} onChange={(e) => setStart(e.target.value.trim())} />
                )}
              </Field>
              <Field label="Window end" error={err("callingWindow.end")} hint="HH:MM; 24:00 = end of the day.">
                {(id, d) => (
                  <input id={id} data-field="callingWindow.end" aria-describedby={d} value={end} placeholder="20:00"
                    inputMode="numeric" maxLength={5} onChange={(e) => setEnd(e.target.value.trim())} />
                )}
              </Field>
              <Field label="Time zone" error={err("callingWindow.timezone")} hint="IANA name, e.g. America/New_York.">
                {(id, d) => (
                  <>
                    <input id={id} data-field="callingWindow.timezone" aria-describedby={d} value={timezone} list="campaigns-zones"
                      autoComplete="off" spellCheck={false} onChange={(e) => setTimezone(e.target.value)} />
                    <datalist id="campaigns-zones">
                      {zones.map((z) => (
                        <option key={z} value={z} />
                      ))}
                    </datalist>
                  </>
                )}
              </Field>
            </div>
            <fieldset className="campaigns-days" aria-describedby={err("callingWindow.daysOfWeek") ? "campaigns-days-err" : undefined}>
              <legend>Days</legend>
              {WEEKDAYS.map((name, i) => (
                <label key={name} className="campaigns-day">
                  <input
                    type="checkbox"
                    data-field={i === 0 ? "callingWindow.daysOfWeek" : undefined}
                    checked={days.includes(i + 1)}
                    onChange={(e) => setDays((ds) => (e.target.checked ? [...ds, i + 1] : ds.filter((x) => x !== i + 1)))}
                  />
                  {name}
                </label>
              ))}
              {err("callingWindow.daysOfWeek") && (
                <small id="campaigns-days-err" className="field-error" role="alert">
                  {err("callingWindow.daysOfWeek")}
                </small>
              )}
            </fieldset>
          </>
        )}
        <p className="hint muted">Callees are also only called 08:00–21:00 in their own time zone (the callee_local_hours setting).</p>
      </fieldset>

      <fieldset className="campaigns-fieldset">
        <legend>Retries (no answer, busy, failed)</legend>
        {err("retry") && (
          <small className="field-error" role="alert">
            {err("retry")}
          </small>
        )}
        <div className="campaigns-form-grid">
          <Field label="Max attempts" error={err("retry.maxAttempts")} hint="1–10 calls per contact.">
            {(id, d) => (
              <input id={id} data-field="retry.maxAttempts" aria-describedby={d} type="number" min={1} max={10} step={1}
                inputMode="numeric" value={maxAttempts} onChange={(e) => setMaxAttempts(e.target.value)} />
            )}
          </Field>
          <Field label="Backoff (minutes)" error={err("retry.backoffMinutes")} hint="Wait between attempts, 0–10080.">
            {(id, d) => (
              <input id={id} data-field="retry.backoffMinutes" aria-describedby={d} type="number" min={0} max={10080} step="any"
                inputMode="decimal" value={backoff} onChange={(e) => setBackoff(e.target.value)} />
            )}
          </Field>
        </div>
      </fieldset>
      <button type="submit" className="btn primary" disabled={busy}>
        {busy ? "Starting…" : "Start job"}
      </button>
    </form>
  );
}
