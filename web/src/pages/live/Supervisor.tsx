// The supervisor's controls: POST /api/live-calls/{id}/actions (coach, take
// over / release, transfer, end, note, bookmark, flag), "join with
// microphone" (JOIN_CALL + the audio WebSocket), and the actions taken so far.
// The server records the signed-in user as the supervisor (the client sends no
// name). Shown only to holders of live:control.
import { useEffect, useRef, useState, type FormEvent, type ReactNode } from "react";
import { ApiError, post } from "../../lib/api";
import { ErrorBanner, Field } from "../../lib/ui";
import { titleCase } from "../../lib/format";
import { useSupervisorAudio } from "./audio";
import { clock, type SupervisorAction, type SupervisorActionName } from "./types";
import { LevelMeter } from "./panels";

type Form = "coach" | "note" | "transfer" | "end" | "takeover" | "bookmark" | "flag" | "join";

interface Props {
  callId: string;
  actions: SupervisorAction[];
  ended: boolean;
  /** Milliseconds in call now (for the confirmation messages). */
  callMs: number;
}

function asError(e: unknown): ApiError {
  return e instanceof ApiError ? e : new ApiError(0, "Error", String(e), []);
}

export function SupervisorPanel({ callId, actions, ended, callMs }: Props) {
  const [busy, setBusy] = useState<Form | null>(null);
  const [failure, setFailure] = useState<{ form: Form; error: ApiError } | null>(null);
  const [done, setDone] = useState<string>("");
  const [coach, setCoach] = useState("");
  const [note, setNote] = useState("");
  const [target, setTarget] = useState("");
  const [closing, setClosing] = useState("");
  const dialog = useRef<HTMLDialogElement>(null);
  const audio = useSupervisorAudio(callId, () => void act("join", "JOIN_CALL", { via: "browser microphone" }, "Joined the call"));

  // A call that ends closes the microphone leg and the dialog.
  useEffect(() => {
    if (!ended) return;
    audio.leave();
    dialog.current?.close();
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [ended]);

  const lastControl = [...actions].reverse().find((a) => a.action === "TAKE_OVER" || a.action === "RELEASE");
  const takenOver = lastControl?.action === "TAKE_OVER";

  async function act(form: Form, action: SupervisorActionName, details: Record<string, unknown>, message: string): Promise<boolean> {
    setBusy(form);
    setFailure(null);
    setDone("");
    try {
      await post<SupervisorAction>(`/api/live-calls/${encodeURIComponent(callId)}/actions`, {
        action,
        details,
      });
      setDone(`${message} (at ${clock(callMs)})`);
      return true;
    } catch (e) {
      setFailure({ form, error: asError(e) });
      return false;
    } finally {
      setBusy(null);
    }
  }

  const fieldError = (form: Form, field: string) => (failure?.form === form ? failure.error.fields[field] : undefined);
  const shownFields = ["details.text", "details.target"];
  const generalError =
    failure && !shownFields.some((f) => failure.error.fields[f]) ? failure.error : null;
  const disabled = ended || busy !== null;

  const submit = (fn: () => Promise<unknown>) => (e: FormEvent) => {
    e.preventDefault();
    void fn();
  };

  return (
    <section className="card live-supervisor" aria-labelledby="live-sup-h">
      <h2 id="live-sup-h">Supervisor</h2>
      {ended && <p className="muted">The call has ended: controls are off.</p>}

      <div className="live-sup-row">
        <ToggleButton
          pressed={takenOver}
          disabled={disabled}
          onClick={() =>
            void (takenOver
              ? act("takeover", "RELEASE", {}, "Released the call to the agent")
              : act("takeover", "TAKE_OVER", {}, "Took over: the agent stays silent"))
          }
        >
          {takenOver ? "Release to agent" : "Take over"}
        </ToggleButton>
        <button type="button" className="btn" disabled={disabled} onClick={() => void act("bookmark", "BOOKMARK_MOMENT", {}, "Bookmarked this moment")}>
          Bookmark moment
        </button>
        <button type="button" className="btn" disabled={disabled} onClick={() => void act("flag", "FLAG_FOR_REVIEW", {}, "Flagged for review")}>
          Flag for review
        </button>
        <button type="button" className="btn danger" disabled={disabled} onClick={() => dialog.current?.showModal()}>
          End call
        </button>
      </div>

      <div className="live-audio" aria-labelledby="live-audio-h">
        <h3 id="live-audio-h">Listen and talk</h3>
        {audio.state === "live" || audio.state === "starting" ? (
          <>
            <div className="live-sup-row">
              <button type="button" className="btn" onClick={audio.leave}>
                Leave
              </button>
              <span role="status" className="live-audio-status">
                {audio.state === "starting"
                  ? "Connecting the microphone…"
                  : audio.received > 0
                    ? `Receiving audio · ${audio.received} frames in, ${audio.sent} out`
                    : `Connected · waiting for audio (${audio.sent} frames out)`}
              </span>
            </div>
            {audio.state === "live" && <LevelMeter label="Call audio" value={audio.level} speaking={audio.level > 5} />}
          </>
        ) : (
          <button type="button" className="btn" disabled={disabled} onClick={() => void audio.join()}>
            Join with microphone
          </button>
        )}
        {audio.error && (
          <div className={audio.state === "error" ? "error-banner" : "live-note"} role="alert">
            {audio.error}
          </div>
        )}
      </div>

      <form className="live-sup-form" onSubmit={submit(async () => (await act("coach", "COACH_AGENT", { text: coach.trim() }, "Coaching sent")) && setCoach(""))}>
        <Field label="Coach the agent (whisper)" hint="The agent hears this before its next turn; the caller does not." error={fieldError("coach", "details.text")}>
          {(id, d) => <textarea id={id} aria-describedby={d} rows={2} maxLength={4000} value={coach} onChange={(e) => setCoach(e.target.value)} />}
        </Field>
        <button type="submit" className="btn primary" disabled={disabled}>
          {busy === "coach" ? "Sending…" : "Send coaching"}
        </button>
      </form>

      <form className="live-sup-form" onSubmit={submit(() => act("transfer", "TRANSFER_CALL", { target: target.trim() }, `Transferring to ${target.trim()}`))}>
        <Field label="Transfer to" hint="A phone number or a sip: URI" error={fieldError("transfer", "details.target")}>
          {(id, d) => <input id={id} aria-describedby={d} value={target} onChange={(e) => setTarget(e.target.value)} placeholder="+14155550100" />}
        </Field>
        <button type="submit" className="btn" disabled={disabled}>
          Transfer
        </button>
      </form>

      <form className="live-sup-form" onSubmit={submit(async () => (await act("note", "ADD_NOTE", { text: note.trim() }, "Note added")) && setNote(""))}>
        <Field label="Note" error={fieldError("note", "details.text")}>
          {(id, d) => <textarea id={id} aria-describedby={d} rows={2} maxLength={4000} value={note} onChange={(e) => setNote(e.target.value)} />}
        </Field>
        <button type="submit" className="btn" disabled={disabled}>
          Add note
        </button>
      </form>

      <div role="status" aria-live="polite" className="live-done">
        {done}
      </div>
      {generalError && <ErrorBanner error={generalError} />}

      <dialog ref={dialog} className="live-dialog" aria-labelledby="live-end-h" onClose={() => setClosing("")}>
        <form
          method="dialog"
          onSubmit={(e) => {
            e.preventDefault();
            void act("end", "END_CALL", closing.trim() ? { text: closing.trim() } : {}, "Ending the call").then((ok) => {
              if (ok) dialog.current?.close();
            });
          }}
        >
          <h2 id="live-end-h">End this call?</h2>
          <p>The agent says a closing line, then hangs up. This cannot be undone.</p>
          <Field label="Closing line (optional)" error={fieldError("end", "details.text")}>
            {(id, d) => <input id={id} aria-describedby={d} value={closing} onChange={(e) => setClosing(e.target.value)} />}
          </Field>
          {failure?.form === "end" && generalError && <ErrorBanner error={generalError} />}
          <div className="live-sup-row">
            <button type="button" className="btn" onClick={() => dialog.current?.close()} autoFocus>
              Cancel
            </button>
            <button type="submit" className="btn danger" disabled={busy !== null}>
              {busy === "end" ? "Ending…" : "End call"}
            </button>
          </div>
        </form>
      </dialog>
    </section>
  );
}

function ToggleButton({ pressed, disabled, onClick, children }: { pressed: boolean; disabled: boolean; onClick: () => void; children: ReactNode }) {
  return (
    <button type="button" className={`btn${pressed ? " primary" : ""}`} aria-pressed={pressed} disabled={disabled} onClick={onClick}>
      {children}
    </button>
  );
}

function describe(a: SupervisorAction): string {
  const d = a.details ?? {};
  const parts: string[] = [];
  if (typeof d.text === "string") parts.push(d.text);
  if (typeof d.target === "string") parts.push(`to ${d.target}`);
  return parts.join(" ");
}

export function ActionsList({ actions }: { actions: SupervisorAction[] }) {
  if (actions.length === 0) return <p className="empty">No supervisor actions yet.</p>;
  return (
    <ol className="live-action-log" aria-label="Supervisor actions">
      {[...actions]
        .sort((a, b) => a.order - b.order)
        .map((a) => (
          <li key={a.id}>
            <time className="live-ts">{clock(a.callTimeMs)}</time> <strong>{titleCase(a.action.toLowerCase())}</strong>
            {describe(a) && <span> — {describe(a)}</span>}
            <span className="muted live-small"> · {a.supervisorName}</span>
          </li>
        ))}
    </ol>
  );
}
