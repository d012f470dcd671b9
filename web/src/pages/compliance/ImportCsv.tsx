// "Import a CSV of numbers": the file goes to the API as text/csv; the
// report says how many were added, how many were already listed, and which
// lines were rejected and why.
import { useId, useRef, useState } from "react";
import { ApiError, upload } from "../../lib/api";
import { ErrorBanner, Field, TableHead } from "../../lib/ui";
import type { DncImportReport } from "./types";

export function ImportCsv({ onImported }: { onImported: (report: DncImportReport) => void }) {
  const [file, setFile] = useState<File | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);
  const [report, setReport] = useState<{ name: string; report: DncImportReport } | null>(null);
  const input = useRef<HTMLInputElement>(null);
  const titleId = useId();

  async function submit(e: React.FormEvent) {
    e.preventDefault();
    if (!file) return;
    setBusy(true);
    setError(null);
    try {
      const r = await upload<DncImportReport>("/api/do-not-call/import", file, "text/csv");
      setReport({ name: file.name, report: r });
      setFile(null);
      if (input.current) input.current.value = "";
      onImported(r);
    } catch (err) {
      setError(err instanceof ApiError ? err : new ApiError(0, "Error", String(err), []));
    } finally {
      setBusy(false);
    }
  }

  return (
    <form className="card" onSubmit={submit} aria-labelledby={titleId}>
      <h2 id={titleId}>Import a CSV of numbers</h2>
      <Field label="CSV file" hint="One number per row, in a column named phone or number (or the first column); other columns are ignored.">
        {(id, describedBy) => (
          <input id={id} ref={input} type="file" accept=".csv,text/csv" aria-describedby={describedBy}
            onChange={(e) => { setFile(e.target.files?.[0] ?? null); setError(null); }} />
        )}
      </Field>
      <ErrorBanner error={error} />
      <button type="submit" className="btn primary" disabled={!file || busy}>
        {busy ? "Importing…" : "Import numbers"}
      </button>
      <div aria-live="polite">
        {report && <ImportReportView name={report.name} report={report.report} />}
      </div>
    </form>
  );
}

function ImportReportView({ name, report }: { name: string; report: DncImportReport }) {
  const { added, alreadyListed, rejectedCount, rejected } = report;
  return (
    <div className="compliance-report">
      <h3>Imported {name}</h3>
      <dl className="compliance-counts">
        <div><dt>Added</dt><dd>{added}</dd></div>
        <div><dt>Already listed</dt><dd>{alreadyListed}</dd></div>
        <div className={rejectedCount ? "bad" : undefined}><dt>Rejected</dt><dd>{rejectedCount}</dd></div>
      </dl>
      {rejected.length > 0 && (
        <div className="table-wrap compliance-rejected">
          <table aria-label="Rejected rows">
            <TableHead columns={["Line", "Reason"]} />
            <tbody>
              {rejected.map((r) => (
                <tr key={`${r.line}-${r.reason}`}>
                  <td>{r.line}</td>
                  <td>{r.reason}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {rejectedCount > rejected.length && (
        <p className="muted">The first {rejected.length} of {rejectedCount} rejected rows are shown.</p>
      )}
    </div>
  );
}
