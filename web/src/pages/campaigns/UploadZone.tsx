// The CSV upload area: a drop zone (drag and drop) with a keyboard-accessible
// file input inside it. The file body goes to POST /api/campaigns/{id}/uploads
// as text/csv; the import report comes back.
import { type DragEvent, useRef, useState } from "react";
import { ApiError, query, upload } from "../../lib/api";
import { ErrorBanner, Field, Loading } from "../../lib/ui";
import type { ImportReport } from "./types";

const CSV_NAME = /\.(csv|tsv|txt)$/i;
const CSV_TYPES = new Set(["", "text/csv", "text/plain", "text/tab-separated-values", "application/vnd.ms-excel"]);

export function UploadZone({ campaignId, onImported }: { campaignId: string; onImported: (r: ImportReport) => void }) {
  const [dragging, setDragging] = useState(false);
  const [busy, setBusy] = useState<string | null>(null);
  const [error, setError] = useState<ApiError | string | null>(null);
  const [region, setRegion] = useState("");
  const lastFile = useRef<File | null>(null);
  const input = useRef<HTMLInputElement>(null);

  async function send(file: File) {
    lastFile.current = file;
    if (!CSV_NAME.test(file.name) && !CSV_TYPES.has(file.type)) {
      setError(`${file.name} does not look like a CSV file (expected .csv, .tsv or .txt).`);
      return;
    }
    setError(null);
    setBusy(file.name);
    try {
      const path = query(`/api/campaigns/${encodeURIComponent(campaignId)}/uploads`, {
        filename: file.name,
        region: region.trim().toUpperCase() || undefined,
      });
      const report = await upload<ImportReport>(path, file, "text/csv");
      onImported(report);
    } catch (e) {
      setError(e instanceof ApiError ? e : String(e));
    } finally {
      setBusy(null);
      if (input.current) input.current.value = "";
    }
  }

  const over = (e: DragEvent) => {
    e.preventDefault();
    e.dataTransfer.dropEffect = "copy";
    setDragging(true);
  };
  const leave = (e: DragEvent<HTMLDivElement>) => {
    if (!e.currentTarget.contains(e.relatedTarget as Node | null)) setDragging(false);
  };
  const drop = (e: DragEvent) => {
    e.preventDefault();
    setDragging(false);
    const files = e.dataTransfer.files;
    if (!files || files.length === 0) {
      setError("Nothing to import: drop a CSV file.");
      return;
    }
    if (files.length > 1) {
      setError("Drop one file at a time.");
      return;
    }
    void send(files[0]);
  };

  const regionError = error instanceof ApiError ? error.fields.region : undefined;
  return (
    <div>
      <div
        className={`campaigns-dropzone${dragging ? " dragging" : ""}${busy ? " busy" : ""}`}
        role="group"
        aria-label="CSV drop zone"
        aria-describedby="campaigns-drop-help"
        aria-busy={busy ? true : undefined}
        onDragEnter={over}
        onDragOver={over}
        onDragLeave={leave}
        onDrop={drop}
      >
        <p id="campaigns-drop-help">
          <strong>Drag and drop a CSV file here</strong>, or choose one. The phone column, the name column and the delimiter are
          detected; every row that cannot be called is reported.
        </p>
        <label className="campaigns-file-label" htmlFor="campaigns-file">
          CSV file
        </label>
        <input
          ref={input}
          id="campaigns-file"
          className="campaigns-file"
          type="file"
          accept=".csv,.tsv,.txt,text/csv"
          disabled={busy !== null}
          onChange={(e) => {
            const f = e.target.files?.[0];
            if (f) void send(f);
          }}
        />
      </div>
      <div className="campaigns-upload-options">
        <Field
          label="Default region"
          error={regionError}
          hint="Two-letter country code for numbers without +country (default: the server's default_region setting)."
        >
          {(id, d) => (
            <input
              id={id}
              aria-describedby={d}
              value={region}
              maxLength={2}
              size={4}
              placeholder="US"
              autoComplete="off"
              onChange={(e) => setRegion(e.target.value)}
            />
          )}
        </Field>
      </div>
      {busy && <Loading what={`Importing ${busy}`} />}
      {error && !regionError && (
        <ErrorBanner
          error={error}
          onRetry={lastFile.current && typeof error !== "string" ? () => void send(lastFile.current!) : undefined}
        />
      )}
    </div>
  );
}
