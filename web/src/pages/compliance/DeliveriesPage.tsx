// What the outcome loop sent after calls: the follow-up SMS (embedded outbox
// or Twilio) and the webhook events (persistent outbox, retried with
// backoff). Two tabs, each a paged table with filters kept in the URL.
import { useRef, useState } from "react";
import { Link, useSearchParams } from "react-router";
import { query } from "../../lib/api";
import { Badge, Field, PageHeader, TableHead, toneOf } from "../../lib/ui";
import { dateTime } from "../../lib/format";
import { PagedFrame, usePaged, type Paged } from "../../lib/paged";
import { SMS_STATUSES, WEBHOOK_EVENTS, WEBHOOK_STATUSES, type SmsMessage, type WebhookEvent } from "./types";

const TABS = [
  ["sms", "Follow-up SMS"],
  ["webhooks", "Webhook events"],
] as const;
type Tab = (typeof TABS)[number][0];

function CallLink({ callId, what }: { callId: string | null; what: string }) {
  if (!callId) return <span className="muted">—</span>;
  return (
    <Link to={`/calls/${callId}`} aria-label={`View call of ${what}`}>
      View call
    </Link>
  );
}

/** A long message clamped to a few lines, with a button to show all of it. */
function LongText({ text }: { text: string }) {
  const [open, setOpen] = useState(false);
  if (text.length <= 160) return <>{text}</>;
  return (
    <>
      <span className={open ? undefined : "compliance-clamp"}>{text}</span>
      <button type="button" className="compliance-link" aria-expanded={open} onClick={() => setOpen(!open)}>
        {open ? "Show less" : "Show all"}
      </button>
    </>
  );
}

function Updated({ list }: { list: Paged<unknown> }) {
  return list.updatedAt ? <span className="muted compliance-updated">Updated {list.updatedAt.toLocaleTimeString()}</span> : null;
}

function FilterSelect({ label, value, options, onChange }: { label: string; value: string; options: readonly string[]; onChange: (v: string) => void }) {
  return (
    <Field label={label}>
      {(id) => (
        <select id={id} value={value} onChange={(e) => onChange(e.target.value)}>
          <option value="">All</option>
          {options.map((o) => (
            <option key={o} value={o}>{o}</option>
          ))}
        </select>
      )}
    </Field>
  );
}

function SmsPanel({ status, setStatus, refresh }: { status: string; setStatus: (v: string) => void; refresh: number }) {
  const list = usePaged<SmsMessage>(query("/api/sms-messages", { limit: 50, status }), refresh);
  return (
    <>
      <div className="compliance-filters">
        <FilterSelect label="Status" value={status} options={SMS_STATUSES} onChange={setStatus} />
        <Updated list={list as Paged<unknown>} />
      </div>
      <PagedFrame list={list} what="SMS messages"
        empty={status ? `No SMS is ${status}.` : "No follow-up SMS yet. Agents send one after a call when their SMS template is set."}>
        <div className="table-wrap">
          <table aria-label="Follow-up SMS" aria-busy={list.loading}>
            <TableHead columns={["To", "Message", "Status", "Provider", "Attempts", "Error", "Sent", "Call"]} />
            <tbody>
              {list.items.map((m) => (
                <tr key={m.id}>
                  <td className="compliance-phone">{m.toPhone}</td>
                  <td className="compliance-body"><LongText text={m.body} /></td>
                  <td><Badge tone={toneOf(m.status)}>{m.status}</Badge></td>
                  <td>{m.provider}</td>
                  <td className="compliance-num">{m.attempts}</td>
                  <td className="compliance-err">{m.errorMessage ?? <span className="muted">—</span>}</td>
                  <td className="compliance-when">{dateTime(m.sentAt)}</td>
                  <td className="compliance-when"><CallLink callId={m.callId} what={`the SMS to ${m.toPhone}`} /></td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </PagedFrame>
    </>
  );
}

function WebhookPanel({ status, event, setFilter, refresh }: {
  status: string;
  event: string;
  setFilter: (k: string, v: string) => void;
  refresh: number;
}) {
  const list = usePaged<WebhookEvent>(query("/api/webhook-events", { limit: 50, status, event }), refresh);
  return (
    <>
      <div className="compliance-filters">
        <FilterSelect label="Status" value={status} options={WEBHOOK_STATUSES} onChange={(v) => setFilter("status", v)} />
        <FilterSelect label="Event" value={event} options={WEBHOOK_EVENTS} onChange={(v) => setFilter("event", v)} />
        <Updated list={list as Paged<unknown>} />
      </div>
      <PagedFrame list={list} what="webhook events"
        empty={status || event ? "No webhook event matches." : "No webhook events yet. They are sent when an agent has a webhook URL."}>
        <div className="table-wrap">
          <table aria-label="Webhook events" aria-busy={list.loading}>
            <TableHead columns={["#", "Event", "Status", "Attempts", "Failures", "Last error", "Next attempt", "Delivered", "Call"]} />
            <tbody>
              {list.items.map((w) => (
                <tr key={w.id}>
                  <td className="compliance-num">{w.seq}</td>
                  <td>
                    <code>{w.event}</code>
                    <div className="muted compliance-url" title={w.url}>{w.url}</div>
                  </td>
                  <td>
                    <Badge tone={toneOf(w.status)}>{w.status}</Badge>
                    {w.lastStatusCode !== null && w.lastStatusCode > 0 && <div className="muted compliance-code">HTTP {w.lastStatusCode}</div>}
                  </td>
                  <td className="compliance-num">{w.attempts}</td>
                  <td className="compliance-num">{w.failureCount}</td>
                  <td className="compliance-err">{w.lastError ?? <span className="muted">—</span>}</td>
                  <td className="compliance-when">{w.status === "pending" ? dateTime(w.nextAttemptAt) : <span className="muted">—</span>}</td>
                  <td className="compliance-when">{dateTime(w.deliveredAt)}</td>
                  <td className="compliance-when">
                    {w.callId ? <CallLink callId={w.callId} what={`${w.event} event ${w.seq}`} />
                      : w.jobId ? <Link to={`/jobs/${w.jobId}`} aria-label={`View job of ${w.event} event ${w.seq}`}>View job</Link>
                      : <span className="muted">—</span>}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </PagedFrame>
    </>
  );
}

export function DeliveriesPage() {
  const [params, setParams] = useSearchParams();
  const tab: Tab = params.get("tab") === "webhooks" ? "webhooks" : "sms";
  const [refresh, setRefresh] = useState(0);
  const tabRefs = useRef<Record<string, HTMLButtonElement | null>>({});

  function update(next: Record<string, string>, reset = false) {
    const p = reset ? new URLSearchParams() : new URLSearchParams(params);
    for (const [k, v] of Object.entries(next)) if (v) p.set(k, v); else p.delete(k);
    setParams(p, { replace: true });
  }
  function select(t: Tab, focus = false) {
    update({ tab: t === "sms" ? "" : t }, true);
    if (focus) tabRefs.current[t]?.focus();
  }
  function onTabKey(e: React.KeyboardEvent, i: number) {
    const n = TABS.length;
    const to = e.key === "ArrowRight" ? (i + 1) % n : e.key === "ArrowLeft" ? (i + n - 1) % n : e.key === "Home" ? 0 : e.key === "End" ? n - 1 : -1;
    if (to < 0) return;
    e.preventDefault();
    select(TABS[to][0], true);
  }

  return (
    <div className="compliance">
      <PageHeader
        title="SMS & webhooks"
        actions={
          <button type="button" className="btn" onClick={() => setRefresh((r) => r + 1)}>
            Refresh
          </button>
        }
      >
        <p className="muted compliance-lede">
          What was sent after calls: follow-up text messages and webhook events, with their delivery status and retries.
        </p>
      </PageHeader>
      <div role="tablist" aria-label="Deliveries" className="compliance-tabs">
        {TABS.map(([id, label], i) => (
          <button key={id} type="button" role="tab" id={`compliance-tab-${id}`} aria-controls={`compliance-panel-${id}`}
            aria-selected={tab === id} tabIndex={tab === id ? 0 : -1} ref={(el) => { tabRefs.current[id] = el; }}
            onClick={() => select(id)} onKeyDown={(e) => onTabKey(e, i)}>
            {label}
          </button>
        ))}
      </div>
      <section role="tabpanel" id={`compliance-panel-${tab}`} aria-labelledby={`compliance-tab-${tab}`} className="card compliance-panel">
        {tab === "sms" ? (
          <SmsPanel status={params.get("status") ?? ""} setStatus={(v) => update({ status: v })} refresh={refresh} />
        ) : (
          <WebhookPanel status={params.get("status") ?? ""} event={params.get("event") ?? ""} setFilter={(k, v) => update({ [k]: v })} refresh={refresh} />
        )}
      </section>
    </div>
  );
}
