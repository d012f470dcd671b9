// /contacts/:id: the contact's fields (editable), its memories (manual ones
// added, edited and deleted here; automatic ones link to their call) and its calls.
import { useState } from "react";
import { Link, useNavigate, useParams } from "react-router";
import { ApiError, del, get, patch, post, query, type Page } from "../../lib/api";
import { useAsync } from "../../lib/hooks";
import { useCan } from "../../lib/session";
import { Badge, Empty, ErrorBanner, Field, Loading, PageHeader, TableHead, toneOf, unmatchedError } from "../../lib/ui";
import { dateTime, duration, titleCase } from "../../lib/format";
import { PagedFooter, usePaged } from "../../lib/paged";
import { ContactFields, contactBody } from "./ContactsPage";
import type { Call, Contact, Memory } from "./types";

export function ContactPage() {
  const { id = "" } = useParams();
  const navigate = useNavigate();
  const contact = useAsync(() => get<Contact>(`/api/contacts/${encodeURIComponent(id)}`), [id]);
  const [confirmDelete, setConfirmDelete] = useState(false);
  const [deleteError, setDeleteError] = useState<ApiError | null>(null);
  const canWrite = useCan()("calls:write");
  const c = contact.data;

  if (!c) {
    return (
      <>
        <PageHeader title="Contact" />
        {contact.loading ? <Loading what="Loading the contact" /> : <ErrorBanner error={contact.error} onRetry={contact.reload} />}
      </>
    );
  }
  return (
    <>
      <PageHeader
        title={c.name}
        actions={
          <>
            <Link className="btn" to="/contacts">
              All contacts
            </Link>
            {!canWrite ? null : confirmDelete ? (
              <>
                <button
                  type="button"
                  className="btn danger"
                  onClick={() =>
                    del(`/api/contacts/${c.id}`).then(
                      () => navigate("/contacts"),
                      (e: ApiError) => setDeleteError(e),
                    )
                  }
                >
                  Confirm delete
                </button>
                <button type="button" className="btn" onClick={() => setConfirmDelete(false)}>
                  Keep
                </button>
              </>
            ) : (
              <button type="button" className="btn" onClick={() => setConfirmDelete(true)}>
                Delete contact
              </button>
            )}
          </>
        }
      >
        <p className="muted">
          {c.phone} · added {dateTime(c.createdAt)}
        </p>
      </PageHeader>
      <ErrorBanner error={deleteError} />
      <div className="grid two hist-top">
        <ContactForm contact={c} onSaved={contact.setData} readOnly={!canWrite} />
        <Memories contactId={c.id} readOnly={!canWrite} />
      </div>
      <ContactCalls phone={c.phone} />
    </>
  );
}

/** `readOnly`: the user may not change contacts (calls:write): disabled fields, no Save. */
function ContactForm({ contact, onSaved, readOnly }: { contact: Contact; onSaved: (c: Contact) => void; readOnly: boolean }) {
  const initial = () => ({ name: contact.name, phone: contact.phone, notes: contact.notes ?? "", tags: contact.tags.join(", ") });
  const [form, setForm] = useState(initial);
  const [error, setError] = useState<ApiError | null>(null);
  const [saved, setSaved] = useState(false);
  const [busy, setBusy] = useState(false);
  return (
    <form
      className="card"
      aria-labelledby="contact-details"
      onSubmit={async (e) => {
        e.preventDefault();
        setBusy(true);
        try {
          const c = await patch<Contact>(`/api/contacts/${contact.id}`, contactBody(form));
          onSaved(c);
          setForm({ name: c.name, phone: c.phone, notes: c.notes ?? "", tags: c.tags.join(", ") });
          setError(null);
          setSaved(true);
        } catch (err) {
          setError(err as ApiError);
          setSaved(false);
        }
        setBusy(false);
      }}
    >
      <h2 id="contact-details">Details</h2>
      <fieldset className="plain-fieldset" disabled={readOnly}>
        <ContactFields
          draft={form}
          onChange={(d) => {
            setForm(d);
            setSaved(false);
          }}
          error={error}
        />
      </fieldset>
      {!readOnly && <div className="hist-row">
        <button type="submit" className="btn primary" disabled={busy}>
          {busy ? "Saving…" : "Save details"}
        </button>
        <span role="status" className="hist-ok">
          {saved ? "Saved." : ""}
        </span>
      </div>}
    </form>
  );
}

function Memories({ contactId, readOnly }: { contactId: string; readOnly: boolean }) {
  const list = useAsync(() => get<Page<Memory>>(`/api/contacts/${contactId}/memories?limit=500`).then((p) => p.items), [contactId]);
  const [text, setText] = useState("");
  const [error, setError] = useState<ApiError | null>(null);
  const [busy, setBusy] = useState(false);
  return (
    <section className="card" aria-labelledby="contact-memories">
      <h2 id="contact-memories">Memories</h2>
      <p className="muted small">What agents remember about this contact on their next call. Automatic memories come from calls.</p>
      {!readOnly && <form
        onSubmit={async (e) => {
          e.preventDefault();
          setBusy(true);
          try {
            await post<Memory>(`/api/contacts/${contactId}/memories`, { content: text.trim(), source: "manual" });
            setText("");
            setError(null);
            list.reload();
          } catch (err) {
            setError(err as ApiError);
          }
          setBusy(false);
        }}
      >
        <ErrorBanner error={unmatchedError(error, ["content"])} />
        <Field label="New memory" error={error?.fields.content}>
          {(id, d) => (
            <textarea id={id} aria-describedby={d} className="hist-short" required maxLength={10000} value={text} onChange={(e) => setText(e.target.value)} />
          )}
        </Field>
        <button type="submit" className="btn primary" disabled={busy || !text.trim()}>
          Add memory
        </button>
      </form>}
      {list.loading && !list.data && <Loading what="Loading memories" />}
      <ErrorBanner error={list.error} onRetry={list.reload} />
      {list.data && list.data.length === 0 && <Empty>No memories yet.</Empty>}
      {list.data && list.data.length > 0 && (
        <ul className="hist-memlist" aria-label="Memories">
          {list.data.map((m) => (
            <MemoryItem key={m.id} memory={m} onChanged={list.reload} readOnly={readOnly} />
          ))}
        </ul>
      )}
    </section>
  );
}

function MemoryItem({ memory: m, onChanged, readOnly }: { memory: Memory; onChanged: () => void; readOnly: boolean }) {
  const [editing, setEditing] = useState(false);
  const [confirming, setConfirming] = useState(false);
  const [text, setText] = useState(m.content);
  const [error, setError] = useState<ApiError | null>(null);
  const [busy, setBusy] = useState(false);
  const run = async (f: () => Promise<unknown>) => {
    setBusy(true);
    try {
      await f();
      setError(null);
      setEditing(false);
      setConfirming(false);
      onChanged();
    } catch (err) {
      setError(err as ApiError);
    }
    setBusy(false);
  };
  const path = `/api/contacts/${m.contactId}/memories/${m.id}`;
  return (
    <li className="hist-mem">
      {editing ? (
        <form
          onSubmit={(e) => {
            e.preventDefault();
            void run(() => patch(path, { content: text.trim() }));
          }}
        >
          <Field label="Edit memory" error={error?.fields.content}>
            {(id, d) => (
              <textarea id={id} aria-describedby={d} className="hist-short" required maxLength={10000} value={text} onChange={(e) => setText(e.target.value)} autoFocus />
            )}
          </Field>
          <div className="hist-row">
            <button type="submit" className="btn primary small" disabled={busy || !text.trim()}>
              Save memory
            </button>
            <button
              type="button"
              className="btn small"
              onClick={() => {
                setEditing(false);
                setText(m.content);
                setError(null);
              }}
            >
              Cancel
            </button>
          </div>
        </form>
      ) : (
        <p className="hist-mem-text">{m.content}</p>
      )}
      <div className="hist-mem-meta">
        <Badge tone={m.source === "auto" ? "info" : "neutral"}>{m.source}</Badge>
        <span className="muted small">{dateTime(m.createdAt)}</span>
        {m.callId && (
          <Link className="small" to={`/calls/${m.callId}`}>
            from this call
          </Link>
        )}
        {m.source === "manual" && !editing && !readOnly && (
          <span className="hist-mem-actions">
            {confirming ? (
              <>
                <button type="button" className="btn danger small" disabled={busy} onClick={() => void run(() => del(path))} aria-label={`Confirm delete: ${m.content}`}>
                  Confirm delete
                </button>
                <button type="button" className="btn small" onClick={() => setConfirming(false)}>
                  Keep
                </button>
              </>
            ) : (
              <>
                <button type="button" className="btn small" onClick={() => setEditing(true)} aria-label={`Edit: ${m.content}`}>
                  Edit
                </button>
                <button type="button" className="btn small" onClick={() => setConfirming(true)} aria-label={`Delete: ${m.content}`}>
                  Delete
                </button>
              </>
            )}
          </span>
        )}
      </div>
      <ErrorBanner error={editing ? unmatchedError(error, ["content"]) : error} />
    </li>
  );
}

function ContactCalls({ phone }: { phone: string }) {
  const calls = usePaged<Call>(phone ? query("/api/calls", { phone, limit: 20 }) : null);
  return (
    <section className="card" aria-labelledby="contact-calls">
      <h2 id="contact-calls">Calls</h2>
      {calls.loaded && calls.items.length === 0 && !calls.error && <Empty>No calls with this number yet.</Empty>}
      {calls.items.length > 0 && (
        <div className="table-wrap">
          <table aria-label="Calls with this contact">
            <TableHead columns={["When", "Direction", "Status", "Outcome", "Duration", "Summary"]} />
            <tbody>
              {calls.items.map((c) => (
                <tr key={c.id}>
                  <td>
                    <Link to={`/calls/${c.id}`}>{dateTime(c.startedAt ?? c.createdAt)}</Link>
                  </td>
                  <td>{titleCase(c.direction)}</td>
                  <td>
                    <Badge tone={toneOf(c.status)}>{titleCase(c.status)}</Badge>
                  </td>
                  <td>{c.outcome ?? "—"}</td>
                  <td>{duration(c.duration)}</td>
                  <td className="hist-clip">{c.summary ?? ""}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <PagedFooter list={calls} what="calls" />
    </section>
  );
}
