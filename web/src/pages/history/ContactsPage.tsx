// /contacts: search by name or phone (both exact; phones are normalised to
// E.164 by the API) and create a contact.
import { useEffect, useState } from "react";
import { Link, useNavigate, useSearchParams } from "react-router";
import { ApiError, post, query } from "../../lib/api";
import { Badge, Empty, ErrorBanner, Field, PageHeader, TableHead, unmatchedError } from "../../lib/ui";
import { dateTime } from "../../lib/format";
import { PagedFooter, usePaged } from "../../lib/paged";
import { useCan } from "../../lib/session";
import type { Contact } from "./types";

/** "a, b ,c" → ["a","b","c"]. */
export function parseTags(s: string): string[] {
  return s
    .split(",")
    .map((t) => t.trim())
    .filter(Boolean);
}

/** A contact's editable fields as the forms hold them (tags comma-separated). */
export interface ContactDraft {
  name: string;
  phone: string;
  notes: string;
  tags: string;
}

/** The request body for a draft (POST or PATCH /api/contacts). */
export function contactBody(d: ContactDraft) {
  return { name: d.name.trim(), phone: d.phone.trim(), notes: d.notes.trim() || null, tags: parseTags(d.tags) };
}

/** The contact's fields with the API's per-field errors (used to create and to edit). */
export function ContactFields({ draft, onChange, error, autoFocus }: {
  draft: ContactDraft;
  onChange: (d: ContactDraft) => void;
  error: ApiError | null;
  autoFocus?: boolean;
}) {
  const fe = error?.fields ?? {};
  const set = (k: keyof ContactDraft) => (e: { target: { value: string } }) => onChange({ ...draft, [k]: e.target.value });
  return (
    <>
      <ErrorBanner error={unmatchedError(error, ["name", "phone", "tags", "notes"])} />
      <div className="grid two">
        <Field label="Name" error={fe.name}>
          {(id, d) => <input id={id} aria-describedby={d} required maxLength={200} value={draft.name} onChange={set("name")} autoFocus={autoFocus} />}
        </Field>
        <Field label="Phone" error={fe.phone} hint="E.164 (+14155550100) or national with the default region">
          {(id, d) => <input id={id} aria-describedby={d} required type="tel" maxLength={64} value={draft.phone} onChange={set("phone")} />}
        </Field>
      </div>
      <Field label="Tags" error={fe.tags} hint="Comma-separated">
        {(id, d) => <input id={id} aria-describedby={d} value={draft.tags} onChange={set("tags")} />}
      </Field>
      <Field label="Notes" error={fe.notes}>
        {(id, d) => <textarea id={id} aria-describedby={d} maxLength={10000} value={draft.notes} onChange={set("notes")} />}
      </Field>
    </>
  );
}

export function ContactsPage() {
  const canWrite = useCan()("calls:write");
  const [params, setParams] = useSearchParams();
  const by = params.get("phone") !== null ? "phone" : "name";
  const current = params.get(by) ?? "";
  const [searchBy, setSearchBy] = useState<"name" | "phone">(by);
  const [text, setText] = useState(current);
  useEffect(() => {
    setSearchBy(by);
    setText(current);
  }, [by, current]);
  const [creating, setCreating] = useState(false);

  const list = usePaged<Contact>(query("/api/contacts", { limit: 50, [by]: current }));
  const searchErr = list.error?.fields[by];

  return (
    <>
      <PageHeader
        title="Contacts"
        actions={
          canWrite ? (
            <button type="button" className="btn primary" onClick={() => setCreating(true)} disabled={creating}>
              New contact
            </button>
          ) : undefined
        }
      >
        <p className="muted">People voqo has talked to (created from calls) and those you add.</p>
      </PageHeader>

      {creating && <CreateContact onClose={() => setCreating(false)} />}

      <form
        className="card hist-filters"
        role="search"
        aria-label="Search contacts"
        onSubmit={(e) => {
          e.preventDefault();
          const next = new URLSearchParams();
          if (text.trim()) next.set(searchBy, text.trim());
          setParams(next, { replace: true });
        }}
      >
        <Field label="Search by">
          {(id) => (
            <select id={id} value={searchBy} onChange={(e) => setSearchBy(e.target.value as "name" | "phone")}>
              <option value="name">Name (exact)</option>
              <option value="phone">Phone number</option>
            </select>
          )}
        </Field>
        <Field label={searchBy === "name" ? "Name" : "Phone number"} error={searchErr}>
          {(id, d) => (
            <div className="hist-inline">
              <input id={id} type="search" aria-describedby={d} value={text} onChange={(e) => setText(e.target.value)} />
              <button type="submit" className="btn">
                Search
              </button>
            </div>
          )}
        </Field>
        <div className="hist-filter-actions">
          <button type="button" className="btn" disabled={!current} onClick={() => setParams(new URLSearchParams(), { replace: true })}>
            Show all
          </button>
        </div>
      </form>

      {list.loaded && list.items.length === 0 && !list.error && <Empty>{current ? "No contact matches." : "No contacts yet."}</Empty>}
      {list.items.length > 0 && (
        <div className="table-wrap" aria-busy={list.loading}>
          <table aria-label="Contacts">
            <TableHead columns={["Name", "Phone", "Tags", "Updated"]} />
            <tbody>
              {list.items.map((c) => (
                <tr key={c.id}>
                  <td>
                    <Link to={`/contacts/${c.id}`}>{c.name}</Link>
                  </td>
                  <td>{c.phone}</td>
                  <td className="hist-tags">
                    {c.tags.map((t) => (
                      <Badge key={t}>{t}</Badge>
                    ))}
                  </td>
                  <td>{dateTime(c.updatedAt)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <PagedFooter list={list} what="contacts" />
    </>
  );
}

function CreateContact({ onClose }: { onClose: () => void }) {
  const navigate = useNavigate();
  const [form, setForm] = useState<ContactDraft>({ name: "", phone: "", notes: "", tags: "" });
  const [error, setError] = useState<ApiError | null>(null);
  const [busy, setBusy] = useState(false);

  return (
    <form
      className="card hist-create"
      aria-labelledby="new-contact"
      onSubmit={async (e) => {
        e.preventDefault();
        setBusy(true);
        try {
          const c = await post<Contact>("/api/contacts", contactBody(form));
          navigate(`/contacts/${c.id}`);
        } catch (err) {
          setError(err as ApiError);
          setBusy(false);
        }
      }}
    >
      <h2 id="new-contact">New contact</h2>
      <ContactFields draft={form} onChange={setForm} error={error} autoFocus />
      <div className="hist-row">
        <button type="submit" className="btn primary" disabled={busy}>
          {busy ? "Creating…" : "Create contact"}
        </button>
        <button type="button" className="btn" onClick={onClose}>
          Cancel
        </button>
      </div>
    </form>
  );
}
