// Shared building blocks: every screen uses these for loading and error
// states, form fields with the API's per-field error, and tables.
import { type ReactNode, useId } from "react";
import { Link } from "react-router";
import { ApiError } from "./api";

export function Loading({ what = "Loading" }: { what?: string }) {
  return (
    <div className="loading" role="status" aria-live="polite">
      <span className="spinner" aria-hidden="true" /> {what}…
    </div>
  );
}

/** An error box with an optional retry button. Shows the problem's detail. */
export function ErrorBanner({ error, onRetry }: { error: ApiError | Error | string | null | undefined; onRetry?: () => void }) {
  if (!error) return null;
  const text = typeof error === "string" ? error : error.message;
  const status = error instanceof ApiError && error.status ? ` (${error.status})` : "";
  return (
    <div className="error-banner" role="alert">
      <span>
        {text}
        {status}
      </span>
      {onRetry && (
        <button type="button" className="btn small" onClick={onRetry}>
          Retry
        </button>
      )}
    </div>
  );
}

export function Empty({ children }: { children: ReactNode }) {
  return <p className="empty">{children}</p>;
}

export function PageHeader({ title, actions, children }: { title: string; actions?: ReactNode; children?: ReactNode }) {
  return (
    <header className="page-header">
      <div>
        <h1>{title}</h1>
        {children}
      </div>
      {actions && <div className="actions">{actions}</div>}
    </header>
  );
}

interface FieldProps {
  label: string;
  /** The API's message for this field (ApiError.fields[name]) or a client-side check. */
  error?: string;
  hint?: string;
  children: (id: string, describedBy: string | undefined) => ReactNode;
}

/** A labelled form control; the error is announced and linked with aria-describedby. */
export function Field({ label, error, hint, children }: FieldProps) {
  const id = useId();
  const errId = `${id}-err`;
  const hintId = `${id}-hint`;
  const describedBy = [error ? errId : "", hint ? hintId : ""].filter(Boolean).join(" ") || undefined;
  return (
    <div className={`field${error ? " invalid" : ""}`}>
      <label htmlFor={id}>{label}</label>
      {children(id, describedBy)}
      {hint && (
        <small id={hintId} className="hint">
          {hint}
        </small>
      )}
      {error && (
        <small id={errId} className="field-error" role="alert">
          {error}
        </small>
      )}
    </div>
  );
}

export function Badge({ tone = "neutral", children }: { tone?: "good" | "bad" | "warn" | "info" | "neutral"; children: ReactNode }) {
  return <span className={`badge ${tone}`}>{children}</span>;
}

/** Colour of a status or outcome word. */
export function toneOf(status: string | null | undefined): "good" | "bad" | "warn" | "info" | "neutral" {
  const s = (status ?? "").toLowerCase();
  if (["completed", "connected", "active", "running", "demo scheduled", "delivered", "sent", "positive"].includes(s)) return "good";
  if (["failed", "busy", "cancelled", "not interested", "wrong number", "negative", "error"].includes(s)) return "bad";
  if (["paused", "no_answer", "no answer", "call back later", "follow-up needed", "voicemail", "on-hold"].includes(s)) return "warn";
  if (["ringing", "connecting", "pending", "calling", "transferring", "in_progress"].includes(s)) return "info";
  return "neutral";
}

export function ProgressBar({ value, max, label }: { value: number; max: number; label: string }) {
  const pct = max > 0 ? Math.min(100, (value / max) * 100) : 0;
  return (
    <div className="progress" role="progressbar" aria-label={label} aria-valuemin={0} aria-valuemax={max} aria-valuenow={value}>
      <div className="progress-fill" style={{ width: `${pct}%` }} />
    </div>
  );
}

/** A table's header row of plain column names (`<th scope="col">` each). */
export function TableHead({ columns }: { columns: string[] }) {
  return (
    <thead>
      <tr>
        {columns.map((c) => (
          <th key={c} scope="col">
            {c}
          </th>
        ))}
      </tr>
    </thead>
  );
}

/** What a page shows when the thing it is about failed to load: its title, the error with a retry, a way back. */
export function LoadFailed({ title, error, onRetry, back }: { title: string; error: ApiError | Error; onRetry: () => void; back: [to: string, label: string] }) {
  return (
    <>
      <PageHeader title={title} />
      <ErrorBanner error={error} onRetry={onRetry} />
      <Link to={back[0]}>{back[1]}</Link>
    </>
  );
}

/** The error to show as a banner: one that names none of the fields a form shows beside its controls. */
export function unmatchedError(error: ApiError | null, shown: string[]): ApiError | null {
  if (!error) return null;
  return Object.keys(error.fields).some((f) => shown.includes(f)) ? null : error;
}
