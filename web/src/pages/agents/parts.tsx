// Small pieces shared by the agent pages.
import { useState, type ReactNode } from "react";
import { titleCase } from "../../lib/format";

/**
 * A button that asks before acting: the first press shows the question with
 * Confirm / Cancel in place; Confirm runs `onConfirm`.
 */
export function ConfirmButton({
  label,
  question,
  confirmLabel = "Confirm",
  onConfirm,
  danger,
  small,
  disabled,
}: {
  label: string;
  question: ReactNode;
  confirmLabel?: string;
  onConfirm: () => void | Promise<void>;
  danger?: boolean;
  small?: boolean;
  disabled?: boolean;
}) {
  const [asking, setAsking] = useState(false);
  const [busy, setBusy] = useState(false);
  const size = small ? " small" : "";
  if (!asking)
    return (
      <button type="button" className={`btn${size}${danger ? " danger" : ""}`} disabled={disabled} onClick={() => setAsking(true)}>
        {label}
      </button>
    );
  return (
    <span className="agents-confirm" role="group" aria-label={label}>
      <span>{question}</span>
      <button
        type="button"
        className={`btn${size} ${danger ? "danger" : "primary"}`}
        disabled={busy}
        autoFocus
        onClick={async () => {
          setBusy(true);
          try {
            await onConfirm();
          } finally {
            setBusy(false);
            setAsking(false);
          }
        }}
      >
        {confirmLabel}
      </button>
      <button type="button" className={`btn${size}`} disabled={busy} onClick={() => setAsking(false)}>
        Cancel
      </button>
    </span>
  );
}

/** "Appointment", "Property Sales"… */
export const label = (s: string | null | undefined) => (s ? titleCase(s) : "—");

/** A value for display: "—" for null/empty, Yes/No for booleans. */
export function show(v: unknown): string {
  if (v === null || v === undefined || v === "") return "—";
  if (typeof v === "boolean") return v ? "Yes" : "No";
  if (typeof v === "object") return JSON.stringify(v);
  return String(v);
}
