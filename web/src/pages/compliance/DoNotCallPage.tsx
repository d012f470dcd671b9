// The do-not-call list: numbers no campaign or single call ever dials. Add
// one by hand, import a CSV of them, find and remove entries. Entries with
// source "call" were added by the agent when the callee asked to stop.
import { useEffect, useRef, useState } from "react";
import { Link, useSearchParams } from "react-router";
import { ApiError, del, post, query } from "../../lib/api";
import { useCan } from "../../lib/session";
import { Badge, ErrorBanner, Field, PageHeader, TableHead } from "../../lib/ui";
import { dateTime } from "../../lib/format";
import { ImportCsv } from "./ImportCsv";
import { PagedFrame, usePaged } from "../../lib/paged";
import type { DncSource, DoNotCall } from "./types";

const SOURCES: Record<DncSource, { label: string; tone: "info" | "neutral" | "warn" }> = {
  api: { label: "Added by hand", tone: "neutral" },
  import: { label: "CSV import", tone: "info" },
  call: { label: "Asked on a call", tone: "warn" },
};

function AddNumber({ onAdded }: { onAdded: (entry: DoNotCall) => void }) {
  const [phone, setPhone] = useState("");
  const [reason, setReason] = useState("");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);
  const [done, setDone] = useState("");
  const phoneRef = useRef<HTMLInputElement>(null);

  async function submit(e: React.FormEvent) {
    e.preventDefault();
    setBusy(true);
    setError(null);
    setDone("");
    try {
      const entry = await post<DoNotCall>("/api/do-not-call", { phone: phone.trim(), reason: reason.trim() || null });
      setPhone("");
      setReason("");
      setDone(`${entry.phone} is on the list.`);
      onAdded(entry);
      phoneRef.current?.focus();
    } catch (err) {
      const apiErr = err instanceof ApiError ? err : new ApiError(0, "Error", String(err), []);
      setError(apiErr);
      if (apiErr.fields.phone) phoneRef.current?.focus();
    } finally {
      setBusy(false);
    }
  }

  const shownHere = error && (error.fields.phone || error.fields.reason);
  return (
    <form className="card" onSubmit={submit} aria-labelledby="compliance-add-title" noValidate>
      <h2 id="compliance-add-title">Add a number</h2>
      {!shownHere && <ErrorBanner error={error} />}
      <Field label="Phone" error={error?.fields.phone} hint="Any common format; numbers without a country code use the default region.">
        {(id, describedBy) => (
          <input id={id} ref={phoneRef} type="tel" autoComplete="off" required maxLength={32} value={phone} aria-invalid={!!error?.fields.phone}
            aria-describedby={describedBy} onChange={(e) => setPhone(e.target.value)} />
        )}
      </Field>
      <Field label="Reason (optional)" error={error?.fields.reason}>
        {(id, describedBy) => (
          <input id={id} type="text" maxLength={500} value={reason} aria-invalid={!!error?.fields.reason} aria-describedby={describedBy}
            onChange={(e) => setReason(e.target.value)} />
        )}
      </Field>
      <div className="compliance-row">
        <button type="submit" className="btn primary" disabled={busy || !phone.trim()}>
          {busy ? "Adding…" : "Add to list"}
        </button>
        <span role="status" className="compliance-done">{done}</span>
      </div>
    </form>
  );
}

/** The remove button of a row, which turns into an inline "are you sure". */
function RemoveEntry({ entry, onRemoved }: { entry: DoNotCall; onRemoved: (entry: DoNotCall) => void }) {
  const [confirming, setConfirming] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);
  const removeRef = useRef<HTMLButtonElement>(null);
  const refocus = useRef(false);
  useEffect(() => {
    if (!confirming && refocus.current) removeRef.current?.focus();
    refocus.current = false;
  }, [confirming]);
  const cancel = () => {
    refocus.current = true;
    setConfirming(false);
  };

  async function remove() {
    setBusy(true);
    setError(null);
    try {
      await del(`/api/do-not-call/${encodeURIComponent(entry.id)}`);
      onRemoved(entry);
    } catch (err) {
      setError(err instanceof ApiError ? err : new ApiError(0, "Error", String(err), []));
      setBusy(false);
    }
  }

  if (!confirming)
    return (
      <button type="button" className="btn small" ref={removeRef} onClick={() => setConfirming(true)} aria-label={`Remove ${entry.phone}`}>
        Remove
      </button>
    );
  return (
    <div className="compliance-confirm" role="group" aria-label={`Confirm removing ${entry.phone}`}
      onKeyDown={(e) => {
        if (e.key === "Escape") cancel();
      }}>
      <span>Take it off the list?</span>
      <button type="button" className="btn small danger" autoFocus disabled={busy} onClick={remove} aria-label={`Yes, remove ${entry.phone}`}>
        {busy ? "Removing…" : "Yes, remove"}
      </button>
      <button type="button" className="btn small" disabled={busy} onClick={cancel}>
        Cancel
      </button>
      {error && <span className="compliance-error" role="alert">{error.message}</span>}
    </div>
  );
}

export function DoNotCallPage() {
  const canWrite = useCan()("campaigns:write");
  const [params, setParams] = useSearchParams();
  const phone = params.get("phone") ?? "";
  const source = params.get("source") ?? "";
  const [phoneDraft, setPhoneDraft] = useState(phone);
  const [status, setStatus] = useState("");
  const list = usePaged<DoNotCall>(query("/api/do-not-call", { limit: 50, phone, source }));
  const listTitle = useRef<HTMLHeadingElement>(null);
  const phoneFilterError = list.error?.fields.phone;

  function setFilter(next: Record<string, string>) {
    const p = new URLSearchParams(params);
    for (const [k, v] of Object.entries(next)) if (v) p.set(k, v); else p.delete(k);
    setParams(p, { replace: true });
  }

  return (
    <div className="compliance">
      <PageHeader title="Do not call">
        <p className="muted compliance-lede">
          Numbers on this list are never dialed, by campaigns or single calls. Callers who say “stop calling me” are added
          automatically (source “Asked on a call”).
        </p>
      </PageHeader>

      {canWrite && (
        <div className="grid two">
          <AddNumber onAdded={() => { setStatus(""); list.reload(); }} />
          <ImportCsv onImported={() => list.reload()} />
        </div>
      )}

      <section className="card" aria-labelledby="compliance-list-title">
        <h2 id="compliance-list-title" ref={listTitle} tabIndex={-1}>Numbers on the list</h2>
        <form className="compliance-filters" role="search" aria-label="Find numbers"
          onSubmit={(e) => { e.preventDefault(); setFilter({ phone: phoneDraft.trim() }); }}>
          <Field label="Find a number" error={phoneFilterError} hint="The whole number, in any format.">
            {(id, describedBy) => (
              <input id={id} type="search" value={phoneDraft} maxLength={32} aria-invalid={!!phoneFilterError} aria-describedby={describedBy}
                onChange={(e) => setPhoneDraft(e.target.value)} />
            )}
          </Field>
          <Field label="Source">
            {(id) => (
              <select id={id} value={source} onChange={(e) => setFilter({ source: e.target.value })}>
                <option value="">All sources</option>
                {(Object.keys(SOURCES) as DncSource[]).map((s) => (
                  <option key={s} value={s}>{SOURCES[s].label}</option>
                ))}
              </select>
            )}
          </Field>
          <div className="compliance-row compliance-filter-buttons">
            <button type="submit" className="btn">Find</button>
            {(phone || source) && (
              <button type="button" className="btn" onClick={() => { setPhoneDraft(""); setFilter({ phone: "", source: "" }); }}>
                Show all
              </button>
            )}
          </div>
        </form>
        <p role="status" className="compliance-done">{status}</p>
        <PagedFrame list={list} what="the do-not-call list" hideError={!!phoneFilterError}
          empty={phone || source ? "No number on the list matches." : "The list is empty: every number may be dialed."}>
          <div className="table-wrap">
            <table aria-label="Do-not-call numbers" aria-busy={list.loading}>
              <TableHead columns={["Phone", "Reason", "Source", "Added", ...(canWrite ? ["Actions"] : [])]} />
              <tbody>
                {list.items.map((d) => (
                  <tr key={d.id}>
                    <td className="compliance-phone">{d.phone}</td>
                    <td>{d.reason || <span className="muted">—</span>}</td>
                    <td>
                      <Badge tone={SOURCES[d.source]?.tone ?? "neutral"}>{SOURCES[d.source]?.label ?? d.source}</Badge>
                      {d.callId && (
                        <> <Link to={`/calls/${d.callId}`} aria-label={`The call in which ${d.phone} asked`}>the call</Link></>
                      )}
                    </td>
                    <td>{dateTime(d.createdAt)}</td>
                    {canWrite && (
                      <td>
                        <RemoveEntry entry={d} onRemoved={(gone) => {
                          list.drop((x) => x.id !== gone.id);
                          setStatus(`${gone.phone} was removed from the list.`);
                          listTitle.current?.focus();
                        }} />
                      </td>
                    )}
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </PagedFrame>
      </section>
    </div>
  );
}
