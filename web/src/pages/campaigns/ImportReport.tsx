// The per-row import report: the summary (rows, imported, rejected, detected
// columns) and the rejected rows / warnings as tables. The upload's answer
// carries the first rows inline; beyond them (or for an older upload) the
// table pages through GET /api/uploads/{id}/rejections.
import { useCallback, useEffect, useRef, useState } from "react";
import { ApiError, get, query, type Page } from "../../lib/api";
import { ErrorBanner, Loading } from "../../lib/ui";
import type { ImportReport, RowIssue, Upload, UploadRejection } from "./types";
import { delimiterName } from "./util";

const PAGE = 25;

interface TableProps {
  uploadId: string;
  severity: "error" | "warning";
  title: string;
  /** Rows the upload's answer carried (undefined: fetch from the API). */
  inline?: RowIssue[];
  /** How many rows there are in all, when known. */
  total?: number;
}

export function IssuesTable({ uploadId, severity, title, inline, total }: TableProps) {
  const [apiRows, setApiRows] = useState<RowIssue[]>([]);
  const [cursor, setCursor] = useState<string | null | undefined>(undefined); // undefined: API not read yet
  const [page, setPage] = useState(0);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);
  const state = useRef({ apiRows, cursor });
  state.current = { apiRows, cursor };

  // Reads API pages until `need` rows are loaded (or there are no more).
  const ensure = useCallback(
    async (need: number) => {
      let { apiRows: rows, cursor: cur } = state.current;
      if (rows.length >= need || cur === null) return;
      setBusy(true);
      setError(null);
      try {
        while (rows.length < need && cur !== null) {
          const p: Page<UploadRejection> = await get<Page<UploadRejection>>(
            query(`/api/uploads/${encodeURIComponent(uploadId)}/rejections`, { severity, limit: 500, cursor: cur }),
          );
          rows = [...rows, ...p.items.map(({ line, column, reason }) => ({ line, column, reason }))];
          cur = p.nextCursor;
          setApiRows(rows);
          setCursor(cur);
        }
      } catch (e) {
        setError(e as ApiError);
      } finally {
        setBusy(false);
      }
    },
    [uploadId, severity],
  );

  useEffect(() => {
    if (inline === undefined) void ensure(PAGE);
  }, [inline, ensure]);

  const inlineRows = inline ?? [];
  const rows = apiRows.length > inlineRows.length ? apiRows : inlineRows;
  const known = total ?? (cursor === null ? apiRows.length : undefined);
  const count = known ?? rows.length;
  const moreOnServer = cursor !== null && (known === undefined || rows.length < known);
  const first = page * PAGE;
  const shown = rows.slice(first, first + PAGE);
  const hasNext = first + PAGE < rows.length || moreOnServer;
  const pages = known !== undefined ? Math.max(1, Math.ceil(known / PAGE)) : undefined;

  async function next() {
    const need = (page + 2) * PAGE;
    if (need > rows.length && moreOnServer) {
      // The API's pages replace the inline rows once they reach further.
      await ensure(Math.max(need, inlineRows.length + 1));
    }
    setPage((p) => p + 1);
  }

  const headingId = `campaigns-${severity}-${uploadId}`;
  if (inline === undefined && apiRows.length === 0 && busy) return <Loading what={`Loading ${title.toLowerCase()}`} />;
  if (count === 0 && !error) return <p className="muted">No {title.toLowerCase()}.</p>;
  return (
    <section className="campaigns-issues" aria-labelledby={headingId}>
      <h3 id={headingId}>
        {title} ({known ?? `${rows.length}+`})
      </h3>
      {error && <ErrorBanner error={error} onRetry={() => void ensure((page + 1) * PAGE)} />}
      <div className="table-wrap">
        <table aria-labelledby={headingId}>
          <thead>
            <tr>
              <th scope="col" className="campaigns-num">
                Line
              </th>
              <th scope="col">Column</th>
              <th scope="col">Reason</th>
            </tr>
          </thead>
          <tbody>
            {shown.map((r, i) => (
              <tr key={`${r.line}-${r.column}-${first + i}`}>
                <td className="campaigns-num">{r.line}</td>
                <td>{r.column || <span className="muted">(whole row)</span>}</td>
                <td>{r.reason}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {(page > 0 || hasNext) && (
        <nav className="campaigns-pager" aria-label={`${title} pages`}>
          <button type="button" className="btn small" disabled={page === 0 || busy} onClick={() => setPage((p) => p - 1)}>
            Previous
          </button>
          <span aria-live="polite">
            Rows {shown.length ? first + 1 : 0}–{first + shown.length} of {known ?? `${rows.length}+`}
            {pages !== undefined && ` · page ${page + 1} of ${pages}`}
          </span>
          <button type="button" className="btn small" disabled={!hasNext || busy} onClick={() => void next()}>
            {busy ? "Loading…" : "Next"}
          </button>
        </nav>
      )}
    </section>
  );
}

function Summary({ items }: { items: [string, string | number][] }) {
  return (
    <dl className="campaigns-summary">
      {items.map(([k, v]) => (
        <div key={k}>
          <dt>{k}</dt>
          <dd>{v}</dd>
        </div>
      ))}
    </dl>
  );
}

/** The report POST …/uploads answered with. */
export function ImportReportView({ report }: { report: ImportReport }) {
  const warnings = report.warnings ?? [];
  const warningCount = report.warningCount ?? warnings.length;
  return (
    <section className="card" aria-labelledby="campaigns-report-title">
      <h2 id="campaigns-report-title">Import report{report.filename ? `: ${report.filename}` : ""}</h2>
      <Summary
        items={[
          ["Rows in file", report.totalRows],
          ["Imported", report.imported],
          ["Rejected", report.rejectedCount],
          ["Warnings", warningCount],
          ["Delimiter", delimiterName(report.delimiter)],
          ["Phone column", report.phoneColumn || "—"],
          ["Name column", report.nameColumn || "—"],
        ]}
      />
      <IssuesTable
        key={`e-${report.uploadId}`}
        uploadId={report.uploadId}
        severity="error"
        title="Rejected rows"
        inline={report.rejected}
        total={report.rejectedCount}
      />
      {warningCount > 0 && (
        <IssuesTable
          key={`w-${report.uploadId}`}
          uploadId={report.uploadId}
          severity="warning"
          title="Warnings"
          inline={warnings}
          total={warningCount}
        />
      )}
    </section>
  );
}

/** An earlier upload's report, read back from the API. */
export function StoredUploadReport({ upload, onClose }: { upload: Upload; onClose: () => void }) {
  return (
    <section className="card" aria-labelledby="campaigns-report-title">
      <div className="campaigns-card-head">
        <h2 id="campaigns-report-title">Import report: {upload.filename}</h2>
        <button type="button" className="btn small" onClick={onClose}>
          Close report
        </button>
      </div>
      <Summary
        items={[
          ["Rows in file", upload.totalRows],
          ["Imported", upload.importedRows],
          ["Rejected", upload.rejectedRows],
        ]}
      />
      <IssuesTable key={`e-${upload.id}`} uploadId={upload.id} severity="error" title="Rejected rows" total={upload.rejectedRows} />
      <IssuesTable key={`w-${upload.id}`} uploadId={upload.id} severity="warning" title="Warnings" />
    </section>
  );
}
