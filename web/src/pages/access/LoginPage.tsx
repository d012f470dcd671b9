// Sign-in (/login), outside the shell. Three ways in:
//   - email and password;
//   - a one-time sign-in link (`voqo serve`/`voqo demo` print one, `voqo user
//     create` too): /login?token=T signs in at once;
//   - an invitation's set-password link (/login?token=T&purpose=set_password):
//     the user chooses a password (typed twice), posted with the token.
// After sign-in: the page the user was sent here from (?next=, kept by the
// shell on a 401) or /agents. The API's field messages appear beside the fields.
import { type FormEvent, useEffect, useRef, useState } from "react";
import { useNavigate, useSearchParams } from "react-router";
import { ApiError, post } from "../../lib/api";
import { ErrorBanner, Field, Loading } from "../../lib/ui";
import type { User, Workspace } from "../../lib/session";
import "./access.css";

interface LoginAnswer {
  user: User;
  workspaces: Workspace[];
}

/** Passwords the server accepts: 10 to 256 bytes. */
const MIN_PASSWORD = 10;
const MAX_PASSWORD_BYTES = 256;

/** Where to go after sign-in: a path of this dashboard only (never another site, never /login). */
export function safeNext(next: string | null): string {
  if (!next || !next.startsWith("/") || next.startsWith("//") || next.startsWith("/\\") || next.startsWith("/login")) return "/agents";
  return next;
}

function asError(e: unknown): ApiError {
  return e instanceof ApiError ? e : new ApiError(0, "Error", String(e), []);
}

function problemText(e: ApiError): string {
  if (e.status === 429) return `${e.message}.`;
  return e.message;
}

export function LoginPage() {
  const [params] = useSearchParams();
  const token = params.get("token") ?? "";
  const purpose = params.get("purpose") ?? "";
  const next = safeNext(params.get("next"));
  const navigate = useNavigate();
  const done = () => navigate(next, { replace: true });

  useEffect(() => {
    document.title = "Sign in · voqo";
    return () => {
      document.title = "voqo";
    };
  }, []);

  return (
    <main id="main" className="login-page" tabIndex={-1}>
      <div className="login-card card">
        <p className="login-brand" aria-hidden="true">
          voqo
        </p>
        {token && purpose === "set_password" ? (
          <SetPasswordForm token={token} onDone={done} />
        ) : token ? (
          <LinkSignIn token={token} onDone={done} />
        ) : (
          <PasswordForm onDone={done} />
        )}
      </div>
    </main>
  );
}

/** Signs in with a one-time link's token at once; on failure offers the password form. */
function LinkSignIn({ token, onDone }: { token: string; onDone: () => void }) {
  const [error, setError] = useState<ApiError | null>(null);
  const sent = useRef(false);
  useEffect(() => {
    // Once: the link is single-use (React may run an effect twice in development).
    if (sent.current) return;
    sent.current = true;
    post<LoginAnswer>("/api/auth/login", { token }).then(onDone, (e: unknown) => setError(asError(e)));
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [token]);
  if (!error) {
    return (
      <>
        <h1>Signing in…</h1>
        <Loading what="Checking the sign-in link" />
      </>
    );
  }
  return (
    <>
      <h1>Sign in to voqo</h1>
      <div className="error-banner" role="alert">
        <span>
          {error.status === 401 ? "This sign-in link was already used or has expired. " : ""}
          {problemText(error)}
        </span>
      </div>
      <PasswordForm onDone={onDone} heading={false} />
    </>
  );
}

function PasswordForm({ onDone, heading = true }: { onDone: () => void; heading?: boolean }) {
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await post<LoginAnswer>("/api/auth/login", { email: email.trim(), password });
      onDone();
    } catch (err) {
      setError(asError(err));
      setBusy(false);
    }
  };
  const fieldNamed = error && (error.fields.email || error.fields.password);
  return (
    <form onSubmit={submit} noValidate aria-labelledby={heading ? "login-h" : undefined} aria-label={heading ? undefined : "Sign in"}>
      {heading && <h1 id="login-h">Sign in to voqo</h1>}
      <Field label="Email" error={error?.fields.email}>
        {(id, d) => (
          <input id={id} aria-describedby={d} type="email" autoComplete="username" required value={email} onChange={(e) => setEmail(e.target.value)} />
        )}
      </Field>
      <Field label="Password" error={error?.fields.password}>
        {(id, d) => (
          <input id={id} aria-describedby={d} type="password" autoComplete="current-password" required value={password} onChange={(e) => setPassword(e.target.value)} />
        )}
      </Field>
      {error && !fieldNamed && <ErrorBanner error={problemText(error)} />}
      <button type="submit" className="btn primary login-submit" disabled={busy}>
        {busy ? "Signing in…" : "Sign in"}
      </button>
      <p className="muted login-help">
        No password yet? Use the one-time link that <code>voqo serve</code> printed, or ask an owner of your workspace for an
        invitation.
      </p>
    </form>
  );
}

function SetPasswordForm({ token, onDone }: { token: string; onDone: () => void }) {
  const [password, setPassword] = useState("");
  const [repeat, setRepeat] = useState("");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);
  const [local, setLocal] = useState<{ password?: string; repeat?: string }>({});
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const problems: { password?: string; repeat?: string } = {};
    if (password.length < MIN_PASSWORD) problems.password = `at least ${MIN_PASSWORD} characters`;
    else if (new TextEncoder().encode(password).length > MAX_PASSWORD_BYTES) problems.password = `at most ${MAX_PASSWORD_BYTES} bytes`;
    if (repeat !== password) problems.repeat = "the two passwords differ";
    setLocal(problems);
    if (problems.password || problems.repeat) return;
    setBusy(true);
    setError(null);
    try {
      await post<LoginAnswer>("/api/auth/login", { token, password });
      onDone();
    } catch (err) {
      setError(asError(err));
      setBusy(false);
    }
  };
  return (
    <form onSubmit={submit} noValidate aria-labelledby="setpw-h">
      <h1 id="setpw-h">Choose your password</h1>
      <p className="muted">This link signs you in once. Choose a password for the next times (at least {MIN_PASSWORD} characters).</p>
      <Field label="New password" error={local.password ?? error?.fields.password}>
        {(id, d) => (
          <input id={id} aria-describedby={d} type="password" autoComplete="new-password" required value={password} onChange={(e) => setPassword(e.target.value)} />
        )}
      </Field>
      <Field label="Repeat the password" error={local.repeat}>
        {(id, d) => (
          <input id={id} aria-describedby={d} type="password" autoComplete="new-password" required value={repeat} onChange={(e) => setRepeat(e.target.value)} />
        )}
      </Field>
      {error && !error.fields.password && (
        <ErrorBanner error={error.status === 401 ? "This link was already used or has expired: ask for a new invitation." : problemText(error)} />
      )}
      <button type="submit" className="btn primary login-submit" disabled={busy}>
        {busy ? "Saving…" : "Set password and sign in"}
      </button>
    </form>
  );
}
