// /campaigns: the list (with upload and contact counts) and the "New campaign" form.
import { type FormEvent, useMemo, useState } from "react";
import { Link, useNavigate } from "react-router";
import { ApiError, get, post, query, type Page } from "../../lib/api";
import { useCan } from "../../lib/session";
import { useAsync } from "../../lib/hooks";
import { dateTime } from "../../lib/format";
import { Empty, ErrorBanner, Field, Loading, PageHeader } from "../../lib/ui";
import type { Campaign, Upload } from "./types";
import { fetchAll } from "./util";
import { PRIORITIES, PURPOSES } from "./swarm/common";

function NewCampaignForm() {
  const navigate = useNavigate();
  const [name, setName] = useState("");
  const [description, setDescription] = useState("");
  const [purpose, setPurpose] = useState("Custom");
  const [priority, setPriority] = useState("MEDIUM");
  const [minAgents, setMinAgents] = useState("1");
  const [maxAgents, setMaxAgents] = useState("5");
  const [agentErrors, setAgentErrors] = useState<Record<string, string>>({});
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);
  const [nameError, setNameError] = useState<string | undefined>();

  async function submit(e: FormEvent) {
    e.preventDefault();
    setError(null);
    if (!name.trim()) {
      setNameError("must not be empty");
      return;
    }
    setNameError(undefined);
    // The swarm's agent bounds (the campaign table's ranges: min 0–1000, max 1–1000, min ≤ max).
    const lo = Number(minAgents), hi = Number(maxAgents);
    const errs: Record<string, string> = {};
    if (minAgents.trim() === "" || !Number.isInteger(lo) || lo < 0 || lo > 1000) errs.minAgents = "must be an integer from 0 to 1000";
    if (maxAgents.trim() === "" || !Number.isInteger(hi) || hi < 1 || hi > 1000) errs.maxAgents = "must be an integer from 1 to 1000";
    if (!errs.minAgents && !errs.maxAgents && lo > hi) errs.minAgents = "minAgents must not exceed maxAgents";
    setAgentErrors(errs);
    if (Object.keys(errs).length) return;
    setBusy(true);
    try {
      const c = await post<Campaign>("/api/campaigns", {
        name: name.trim(),
        description: description.trim() || null,
        purpose,
        priority,
        minAgents: lo,
        maxAgents: hi,
      });
      navigate(`/campaigns/${c.id}`);
    } catch (err) {
      setError(err as ApiError);
      setBusy(false);
    }
  }

  const fields = error?.fields ?? {};
  return (
    <form className="card campaigns-new" onSubmit={submit} noValidate aria-labelledby="campaigns-new-title">
      <h2 id="campaigns-new-title">New campaign</h2>
      {error && !["name", "description", "purpose", "priority", "minAgents", "maxAgents"].some((f) => f in fields) && <ErrorBanner error={error} />}
      <Field label="Name" error={nameError ?? fields.name}>
        {(id, d) => (
          <input id={id} aria-describedby={d} value={name} maxLength={200} required onChange={(e) => setName(e.target.value)} />
        )}
      </Field>
      <Field label="Description" error={fields.description} hint="Optional: what the campaign is for.">
        {(id, d) => (
          <textarea id={id} aria-describedby={d} value={description} maxLength={2000} rows={2} onChange={(e) => setDescription(e.target.value)} />
        )}
      </Field>
      <Field label="Purpose" error={fields.purpose}>
        {(id, d) => (
          <select id={id} aria-describedby={d} value={purpose} onChange={(e) => setPurpose(e.target.value)}>
            {PURPOSES.map((p) => (
              <option key={p} value={p}>
                {p}
              </option>
            ))}
          </select>
        )}
      </Field>
      <Field label="Priority" error={fields.priority} hint="Campaigns sharing the channels dial CRITICAL first.">
        {(id, d) => (
          <select id={id} aria-describedby={d} value={priority} onChange={(e) => setPriority(e.target.value)}>
            {PRIORITIES.map((p) => (
              <option key={p} value={p}>
                {p}
              </option>
            ))}
          </select>
        )}
      </Field>
      <div className="campaigns-form-grid">
        <Field label="Min agents" error={agentErrors.minAgents ?? fields.minAgents} hint="Swarm floor, 0–1000.">
          {(id, d) => (
            <input id={id} aria-describedby={d} type="number" min={0} max={1000} step={1} inputMode="numeric" value={minAgents}
              onChange={(e) => setMinAgents(e.target.value)} />
          )}
        </Field>
        <Field label="Max agents" error={agentErrors.maxAgents ?? fields.maxAgents} hint="Swarm ceiling, 1–1000.">
          {(id, d) => (
            <input id={id} aria-describedby={d} type="number" min={1} max={1000} step={1} inputMode="numeric" value={maxAgents}
              onChange={(e) => setMaxAgents(e.target.value)} />
          )}
        </Field>
      </div>
      <button className="btn primary" type="submit" disabled={busy}>
        {busy ? "Creating…" : "Create campaign"}
      </button>
    </form>
  );
}

export function CampaignsPage() {
  const canWrite = useCan()("campaigns:write");
  const [pages, setPages] = useState<Campaign[][]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const [more, setMore] = useState<{ busy: boolean; error: ApiError | null }>({ busy: false, error: null });
  const list = useAsync(async () => {
    const p = await get<Page<Campaign>>(query("/api/campaigns", { limit: 50 }));
    setPages([]);
    setCursor(p.nextCursor);
    return p.items;
  }, []);
  const uploads = useAsync(() => fetchAll<Upload>("/api/uploads"), []);

  const counts = useMemo(() => {
    const m = new Map<string, { uploads: number; contacts: number }>();
    for (const u of uploads.data?.items ?? []) {
      const c = m.get(u.campaignId) ?? { uploads: 0, contacts: 0 };
      c.uploads += 1;
      c.contacts += u.importedRows;
      m.set(u.campaignId, c);
    }
    return m;
  }, [uploads.data]);

  async function loadMore() {
    if (!cursor) return;
    setMore({ busy: true, error: null });
    try {
      const p = await get<Page<Campaign>>(query("/api/campaigns", { limit: 50, cursor }));
      setPages((ps) => [...ps, p.items]);
      setCursor(p.nextCursor);
      setMore({ busy: false, error: null });
    } catch (e) {
      setMore({ busy: false, error: e as ApiError });
    }
  }

  const campaigns = [...(list.data ?? []), ...pages.flat()];
  const countCell = (id: string, key: "uploads" | "contacts") => {
    if (!uploads.data) return uploads.error ? "—" : "…";
    const n = counts.get(id)?.[key] ?? 0;
    return uploads.data.complete ? String(n) : `≥ ${n}`;
  };

  return (
    <div className="campaigns-page">
      <PageHeader title="Campaigns">
        <p className="muted">Upload a contact list to a campaign, then start a job to call it with an agent.</p>
      </PageHeader>
      <div className="campaigns-list-layout">
        <section aria-labelledby="campaigns-all-title">
          <h2 id="campaigns-all-title">All campaigns</h2>
          {list.error && <ErrorBanner error={list.error} onRetry={list.reload} />}
          {uploads.error && <ErrorBanner error={`Upload counts unavailable: ${uploads.error.message}`} onRetry={uploads.reload} />}
          {list.loading && !list.data ? (
            <Loading what="Loading campaigns" />
          ) : campaigns.length === 0 && !list.error ? (
            <Empty>No campaigns yet. Create one to upload a contact list.</Empty>
          ) : (
            campaigns.length > 0 && (
              <div className="table-wrap">
                <table>
                  <thead>
                    <tr>
                      <th scope="col">Name</th>
                      <th scope="col">Description</th>
                      <th scope="col" className="campaigns-num">
                        Uploads
                      </th>
                      <th scope="col" className="campaigns-num">
                        Contacts
                      </th>
                      <th scope="col">Created</th>
                    </tr>
                  </thead>
                  <tbody>
                    {campaigns.map((c) => (
                      <tr key={c.id}>
                        <td>
                          <Link to={`/campaigns/${c.id}`}>{c.name}</Link>
                        </td>
                        <td className="muted">{c.description || "—"}</td>
                        <td className="campaigns-num">{countCell(c.id, "uploads")}</td>
                        <td className="campaigns-num">{countCell(c.id, "contacts")}</td>
                        <td>{dateTime(c.createdAt)}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            )
          )}
          {more.error && <ErrorBanner error={more.error} onRetry={loadMore} />}
          {cursor && (
            <button type="button" className="btn campaigns-more" onClick={loadMore} disabled={more.busy}>
              {more.busy ? "Loading…" : "Load more campaigns"}
            </button>
          )}
        </section>
        {canWrite && <NewCampaignForm />}
      </div>
    </div>
  );
}
