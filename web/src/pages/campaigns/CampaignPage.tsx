// /campaigns/:id — the campaign's Swarm overview (agents, rules, objectives,
// configuration, feeds), its uploads (with the CSV drop zone and the import
// report), its jobs, and the "Start a job" form.
import { useState } from "react";
import { Link, useParams } from "react-router";
import { get, query, type Page } from "../../lib/api";
import { useCan } from "../../lib/session";
import { useAsync, useInterval } from "../../lib/hooks";
import { dateTime } from "../../lib/format";
import { Badge, Empty, ErrorBanner, LoadFailed, Loading, PageHeader, ProgressBar, TableHead, toneOf } from "../../lib/ui";
import { ImportReportView, StoredUploadReport } from "./ImportReport";
import { JobForm } from "./JobForm";
import type { AgentSummary, Campaign, ImportReport, Job, Upload } from "./types";
import { SwarmOverview } from "./swarm/SwarmOverview";
import { UploadZone } from "./UploadZone";
import { JOB_ACTIVE, fetchAll } from "./util";

function JobsTable({ jobs, agents }: { jobs: Job[]; agents: Map<string, string> }) {
  if (jobs.length === 0) return <Empty>No jobs yet. Start one below once a contact list is uploaded.</Empty>;
  return (
    <div className="table-wrap">
      <table>
        <TableHead columns={["Job", "Status", "Agent", "Progress", "Created"]} />
        <tbody>
          {jobs.map((j) => {
            const done = j.completedCalls + j.failedCalls;
            return (
              <tr key={j.id}>
                <td>
                  <Link to={`/jobs/${j.id}`}>Job {j.id.slice(0, 8)}</Link>
                </td>
                <td>
                  <Badge tone={toneOf(j.status)}>{j.status}</Badge> {j.pausedAt && JOB_ACTIVE.has(j.status) && <Badge tone="warn">paused</Badge>}
                </td>
                <td>{agents.get(j.agentId) ?? j.agentId}</td>
                <td className="campaigns-progress-cell">
                  <ProgressBar value={done} max={j.totalCalls} label={`Job ${j.id.slice(0, 8)} progress`} />
                  <small>
                    {done} / {j.totalCalls} · {j.completedCalls} completed · {j.failedCalls} failed
                  </small>
                </td>
                <td>{dateTime(j.createdAt)}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}

function UploadsTable({ uploads, onShow, shown }: { uploads: Upload[]; onShow: (u: Upload) => void; shown?: string }) {
  if (uploads.length === 0) return <Empty>No contact lists uploaded yet.</Empty>;
  return (
    <div className="table-wrap">
      <table>
        <thead>
          <tr>
            <th scope="col">File</th>
            <th scope="col" className="campaigns-num">Rows</th>
            <th scope="col" className="campaigns-num">Imported</th>
            <th scope="col" className="campaigns-num">Rejected</th>
            <th scope="col">Uploaded</th>
            <th scope="col">
              <span className="campaigns-sr-only">Report</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {uploads.map((u) => (
            <tr key={u.id} aria-current={shown === u.id ? "true" : undefined}>
              <td>{u.filename}</td>
              <td className="campaigns-num">{u.totalRows}</td>
              <td className="campaigns-num">{u.importedRows}</td>
              <td className="campaigns-num">{u.rejectedRows}</td>
              <td>{dateTime(u.createdAt)}</td>
              <td>
                <button type="button" className="btn small" onClick={() => onShow(u)} aria-label={`Show the import report of ${u.filename} (${dateTime(u.createdAt)})`}>
                  Report
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

export function CampaignPage() {
  const { id = "" } = useParams();
  const canWrite = useCan()("campaigns:write");
  const campaign = useAsync(() => get<Campaign>(`/api/campaigns/${encodeURIComponent(id)}`), [id]);
  const uploads = useAsync(
    () => get<Page<Upload>>(query(`/api/campaigns/${encodeURIComponent(id)}/uploads`, { limit: 500 })).then((p) => p.items),
    [id],
  );
  const jobs = useAsync(() => get<Page<Job>>(query("/api/jobs", { campaignId: id, limit: 100 })).then((p) => p.items), [id]);
  const agents = useAsync(() => fetchAll<AgentSummary>("/api/agents").then((r) => r.items), []);
  const [report, setReport] = useState<ImportReport | null>(null);
  const [stored, setStored] = useState<Upload | null>(null);

  const anyActive = (jobs.data ?? []).some((j) => JOB_ACTIVE.has(j.status));
  useInterval(jobs.reload, anyActive ? 4000 : null);

  if (campaign.error)
    return <LoadFailed title="Campaign" error={campaign.error} onRetry={campaign.reload} back={["/campaigns", "Back to campaigns"]} />;
  if (!campaign.data) return <Loading what="Loading campaign" />;
  const c = campaign.data;
  const agentNames = new Map((agents.data ?? []).map((a) => [a.id, a.name]));

  return (
    <div className="campaigns-page">
      <nav aria-label="Breadcrumb" className="campaigns-crumbs">
        <Link to="/campaigns">Campaigns</Link> / <span aria-current="page">{c.name}</span>
      </nav>
      <PageHeader title={c.name}>
        {c.description && <p>{c.description}</p>}
        <p className="muted">Created {dateTime(c.createdAt)}</p>
      </PageHeader>

      <SwarmOverview campaign={c} voiceAgents={agents.data} canWrite={canWrite} onCampaign={campaign.setData} reloadCampaign={campaign.reload} />

      {canWrite && (
        <section className="card" aria-labelledby="campaigns-upload-title">
          <h2 id="campaigns-upload-title">Upload a contact list</h2>
          <UploadZone
            campaignId={c.id}
            onImported={(r) => {
              setReport(r);
              setStored(null);
              uploads.reload();
            }}
          />
        </section>
      )}

      {report && !stored && <ImportReportView report={report} />}
      {stored && <StoredUploadReport key={stored.id} upload={stored} onClose={() => setStored(null)} />}

      <div className="campaigns-two">
        <div>
          <section className="card" aria-labelledby="campaigns-uploads-title">
            <h2 id="campaigns-uploads-title">Uploads</h2>
            {uploads.error && <ErrorBanner error={uploads.error} onRetry={uploads.reload} />}
            {uploads.data ? (
              <UploadsTable uploads={uploads.data} shown={stored?.id} onShow={(u) => setStored(u)} />
            ) : (
              !uploads.error && <Loading what="Loading uploads" />
            )}
          </section>
          <section className="card" aria-labelledby="campaigns-jobs-title">
            <h2 id="campaigns-jobs-title">Jobs</h2>
            {jobs.error && <ErrorBanner error={jobs.error} onRetry={jobs.reload} />}
            {agents.error && <ErrorBanner error={`Agent names unavailable: ${agents.error.message}`} onRetry={agents.reload} />}
            {jobs.data ? <JobsTable jobs={jobs.data} agents={agentNames} /> : !jobs.error && <Loading what="Loading jobs" />}
          </section>
        </div>
        {canWrite && <section className="card">
          {agents.data && uploads.data ? (
            <JobForm campaignId={c.id} agents={agents.data} uploads={uploads.data} />
          ) : agents.error || uploads.error ? (
            <ErrorBanner
              error="The job form needs the agents and the uploads."
              onRetry={() => {
                agents.reload();
                uploads.reload();
              }}
            />
          ) : (
            <Loading what="Loading agents" />
          )}
        </section>}
      </div>
    </div>
  );
}
