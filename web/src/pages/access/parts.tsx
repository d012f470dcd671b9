// Pieces the access pages share: a button that asks before it acts (a modal
// <dialog>), and a secret shown once with a copy button.
import { type ReactNode, useId, useRef, useState } from "react";
import { ApiError } from "../../lib/api";
import { ErrorBanner } from "../../lib/ui";

/** A danger button that opens "title? / body / Cancel / confirmLabel"; `run` errors show in the dialog. */
export function ConfirmButton({ label, title, body, confirmLabel, run, small = true }: {
  /** The button's accessible name (e.g. "Revoke key ci-deploy"). */
  label: string;
  title: string;
  body: ReactNode;
  confirmLabel: string;
  run: () => Promise<unknown>;
  small?: boolean;
}) {
  const dialog = useRef<HTMLDialogElement>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError | Error | null>(null);
  const headingId = useId();
  return (
    <>
      <button type="button" className={`btn danger${small ? " small" : ""}`} aria-label={label} onClick={() => {
        setError(null);
        dialog.current?.showModal();
      }}>
        {confirmLabel}
      </button>
      <dialog ref={dialog} className="confirm-dialog" aria-labelledby={headingId}>
        <form
          method="dialog"
          onSubmit={async (e) => {
            e.preventDefault();
            setBusy(true);
            try {
              await run();
              dialog.current?.close();
            } catch (err) {
              setError(err as Error);
            } finally {
              setBusy(false);
            }
          }}
        >
          <h2 id={headingId}>{title}</h2>
          <div>{body}</div>
          <ErrorBanner error={error} />
          <div className="confirm-actions">
            <button type="button" className="btn" autoFocus onClick={() => dialog.current?.close()}>
              Cancel
            </button>
            <button type="submit" className="btn danger" disabled={busy}>
              {busy ? "Working…" : confirmLabel}
            </button>
          </div>
        </form>
      </dialog>
    </>
  );
}

/** Copies `text` to the clipboard (the selection fallback where the Clipboard API is refused). */
async function copy(text: string, input: HTMLInputElement | null): Promise<boolean> {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    if (!input) return false;
    input.select();
    return document.execCommand("copy");
  }
}

/** A secret (an API key, a set-password link) in a read-only field with a Copy button. */
export function OnceSecret({ label, value }: { label: string; value: string }) {
  const id = useId();
  const input = useRef<HTMLInputElement>(null);
  const [copied, setCopied] = useState<"" | "yes" | "no">("");
  return (
    <div className="once-secret">
      <label htmlFor={id}>{label}</label>
      <div className="once-secret-row">
        <input id={id} ref={input} readOnly value={value} spellCheck={false} onFocus={(e) => e.currentTarget.select()} />
        <button type="button" className="btn" onClick={async () => setCopied((await copy(value, input.current)) ? "yes" : "no")}>
          Copy
        </button>
      </div>
      <span role="status" className="muted small">
        {copied === "yes" ? "Copied to the clipboard." : copied === "no" ? "Select the text and copy it by hand." : ""}
      </span>
    </div>
  );
}
