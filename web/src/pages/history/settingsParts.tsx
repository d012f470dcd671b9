// Building blocks of the settings page: a section saved on its own (PATCH
// /api/settings with just its keys), per-field API errors located by the
// setting key and sub-path, and write-only secret inputs.
import { type FormEvent, type ReactNode, useState } from "react";
import { ApiError, patch } from "../../lib/api";
import { useCan } from "../../lib/session";
import { ErrorBanner, Field } from "../../lib/ui";

export type Settings = Record<string, unknown>;

/** What GET /api/settings shows for a secret that is set; sent back, it keeps the stored one. */
export const MASK = "********";

export function obj(v: unknown): Record<string, unknown> {
  return v && typeof v === "object" && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
}
export function str(v: unknown, fallback = ""): string {
  return typeof v === "string" ? v : typeof v === "number" ? String(v) : fallback;
}

/** "sip_trunk/password", "/sip_trunk/password", "sip_trunk.password" → "sip_trunk.password". */
function normalisePath(p: string): string {
  return p.replace(/^[/$.]+/, "").replace(/\[(\d+)\]/g, ".$1").replace(/\//g, ".");
}

export interface SaveState {
  busy: boolean;
  error: ApiError | null;
  saved: boolean;
  /** The API's message for a field of this section (`key` or `key.sub.path`). */
  fieldError: (path: string) => string | undefined;
  /** An error none of this section's fields shows (e.g. it names the whole object). */
  bannerError: ApiError | null;
  /**
   * PATCHes `body`; resolves with the new settings, or null when it failed.
   * `problems` (path → message) are client-side checks: when any, nothing is sent and they show like the API's.
   */
  save: (body: Settings, problems?: Record<string, string | undefined>) => Promise<Settings | null>;
  touch: () => void;
}

export function useSave(paths: string[], onSaved: (s: Settings) => void): SaveState {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);
  const [saved, setSaved] = useState(false);
  const fields: Record<string, string> = {};
  for (const [k, v] of Object.entries(error?.fields ?? {})) fields[normalisePath(k)] = v;
  const shown = Object.keys(fields).filter((k) => paths.includes(k));
  return {
    busy,
    error,
    saved,
    fieldError: (path) => fields[path],
    bannerError: error && (shown.length === 0 || shown.length < Object.keys(fields).length) ? error : null,
    touch: () => setSaved(false),
    save: async (body, problems = {}) => {
      const found = Object.entries(problems).filter((e): e is [string, string] => !!e[1]);
      setSaved(false);
      if (found.length) {
        setError(new ApiError(422, "Invalid", "Fix the highlighted fields.", found.map(([field, message]) => ({ field, message }))));
        return null;
      }
      setBusy(true);
      try {
        const s = await patch<Settings>("/api/settings", body);
        setError(null);
        setSaved(true);
        onSaved(s);
        return s;
      } catch (e) {
        setError(e instanceof ApiError ? e : new ApiError(0, "Error", String(e), []));
        return null;
      } finally {
        setBusy(false);
      }
    },
  };
}

interface SectionProps {
  id: string;
  title: string;
  description?: ReactNode;
  state: SaveState;
  onSubmit: () => void;
  children: ReactNode;
}

/**
 * A settings card with its own Save button, error banner and success message.
 * Without settings:write (a supervisor, a viewer) the card is read-only: its
 * controls are disabled and there is no Save button.
 */
export function Section({ id, title, description, state, onSubmit, children }: SectionProps) {
  const readOnly = !useCan()("settings:write");
  return (
    <form
      id={id}
      className="card hist-section"
      aria-labelledby={`${id}-title`}
      noValidate
      onSubmit={(e: FormEvent) => {
        e.preventDefault();
        onSubmit();
      }}
      onChange={state.touch}
    >
      <h2 id={`${id}-title`}>{title}</h2>
      {description && <p className="muted small">{description}</p>}
      <ErrorBanner error={state.bannerError} />
      <fieldset className="plain-fieldset" disabled={readOnly}>
        {children}
      </fieldset>
      {!readOnly && (
        <div className="hist-row">
          <button type="submit" className="btn primary" disabled={state.busy}>
            {state.busy ? "Saving…" : `Save ${title}`}
          </button>
          <span role="status" className="hist-ok">
            {state.saved ? `${title} saved.` : ""}
          </span>
        </div>
      )}
    </form>
  );
}

/** A write-only secret: what the server showed (MASK, "" or, from an older server, the value), what was typed, and "clear". */
export interface Secret {
  stored: string;
  typed: string;
  clear: boolean;
}
export const secret = (stored: unknown): Secret => ({ stored: str(stored), typed: "", clear: false });
/** The value to PATCH: the typed one, "" to clear, else what the server showed (MASK keeps the stored secret). */
export const secretOut = (s: Secret): string => (s.clear ? "" : s.typed !== "" ? s.typed : s.stored);

export function SecretField({ label, value, onChange, error }: { label: string; value: Secret; onChange: (s: Secret) => void; error?: string }) {
  const isSet = value.stored !== "";
  const hint = value.clear
    ? "Will be removed when you save."
    : isSet
      ? "Write-only: a value is stored. Type a new one to replace it, or leave empty to keep it."
      : "Write-only: nothing stored yet.";
  return (
    <Field label={label} error={error} hint={hint}>
      {(id, d) => (
        <div className="hist-inline">
          <input
            id={id}
            type="password"
            autoComplete="new-password"
            spellCheck={false}
            aria-describedby={d}
            placeholder={value.clear ? "(will be cleared)" : isSet ? "•••••••• (set)" : "not set"}
            value={value.typed}
            disabled={value.clear}
            onChange={(e) => onChange({ ...value, typed: e.target.value })}
          />
          {(isSet || value.typed) && (
            <button
              type="button"
              className="btn small"
              aria-label={value.clear ? `Keep ${label}` : `Clear ${label}`}
              onClick={() => onChange({ ...value, typed: "", clear: !value.clear })}
            >
              {value.clear ? "Undo clear" : "Clear"}
            </button>
          )}
        </div>
      )}
    </Field>
  );
}

/** A plain text input bound to a string. */
export function TextField(props: {
  label: string;
  value: string;
  onChange: (v: string) => void;
  error?: string;
  hint?: string;
  type?: string;
  placeholder?: string;
  maxLength?: number;
  min?: number;
  step?: string;
}) {
  const { label, value, onChange, error, hint, type = "text", placeholder, maxLength, min, step } = props;
  return (
    <Field label={label} error={error} hint={hint}>
      {(id, d) => (
        <input
          id={id}
          type={type}
          aria-describedby={d}
          value={value}
          placeholder={placeholder}
          maxLength={maxLength}
          min={min}
          step={step}
          spellCheck={false}
          onChange={(e) => onChange(e.target.value)}
        />
      )}
    </Field>
  );
}

// Client-side checks for the parts of object settings the API stores as given.
export const HHMM = /^([01]\d|2[0-3]):[0-5]\d$|^24:00$/;
export const checkUrl = (v: string) => (v.trim() === "" || /^https?:\/\/\S+$/.test(v.trim()) ? undefined : "must be an http:// or https:// URL");
export const checkTime = (v: string) => (HHMM.test(v.trim()) ? undefined : "must be HH:MM, 24-hour (00:00 to 24:00)");
export const required = (v: string, what = "required") => (v.trim() ? undefined : what);
