// The shell: sign-in (/login, outside the shell), then navigation (only what
// the signed-in user may read), the workspace switcher, sign-out, and the
// routes of every screen. A 401 from the API anywhere (the session expired or
// was ended) goes to /login, keeping the path to come back to.
import { useEffect } from "react";
import { NavLink, Route, Routes, useNavigate } from "react-router";
import { realtime } from "./lib/realtime";
import { SessionProvider, type Scope, type Session } from "./lib/session";
import { ErrorBanner, Loading } from "./lib/ui";
import { HomePage } from "./pages/home/HomePage";
import { AgentsPage, AgentWizardPage, AgentDetailPage } from "./pages/agents";
import { CampaignsPage, CampaignPage, JobPage } from "./pages/campaigns";
import { LiveCallsPage, LiveCallPage } from "./pages/live";
import { CallsPage, CallPage, ContactsPage, ContactPage, SettingsPage } from "./pages/history";
import { DeliveriesPage, DoNotCallPage } from "./pages/compliance";
import { InstructionTemplatesPage } from "./pages/templates";
import { AuditLogPage, KeysPage, LoginPage, MembersPage, WorkspaceSwitcher } from "./pages/access";

/** Each entry: path, label, and what it needs (a scope, "member": any signed-in member, "any": everyone). */
const NAV: ReadonlyArray<readonly [string, string, Scope | "member" | "any"]> = [
  ["/", "Home", "any"],
  ["/agents", "Agents", "agents:read"],
  ["/instruction-templates", "Templates", "agents:read"],
  ["/campaigns", "Campaigns", "campaigns:read"],
  ["/live", "Live calls", "live:read"],
  ["/calls", "Calls", "calls:read"],
  ["/contacts", "Contacts", "calls:read"],
  ["/do-not-call", "Do not call", "campaigns:read"],
  ["/deliveries", "SMS & webhooks", "calls:read"],
  ["/settings", "Settings", "settings:read"],
  ["/members", "Members", "member"],
  ["/keys", "API keys", "admin"],
  ["/audit-log", "Audit log", "admin"],
];

export default function App() {
  return (
    <Routes>
      <Route path="/login" element={<LoginPage />} />
      <Route path="*" element={<SignedIn />} />
    </Routes>
  );
}

/** Everything behind sign-in: a 401 sends the browser to /login?next=<here>. */
function SignedIn() {
  const navigate = useNavigate();
  useEffect(() => {
    const on = () => {
      const here = location.pathname + location.search;
      navigate(`/login?next=${encodeURIComponent(here)}`, { replace: true });
    };
    window.addEventListener("voqo-unauthorized", on);
    return () => window.removeEventListener("voqo-unauthorized", on);
  }, [navigate]);
  return (
    <SessionProvider
      loading={
        <main id="main" className="shell-loading">
          <Loading what="Loading your workspace" />
        </main>
      }
      failed={(error, retry) => (
        <main id="main" className="shell-loading">
          <ErrorBanner error={error} onRetry={retry} />
        </main>
      )}
    >
      {(session) => <Shell session={session} />}
    </SessionProvider>
  );
}

function Shell({ session }: { session: Session }) {
  const { me, workspace, can } = session;
  // Another workspace: the realtime feed reconnects with a ticket for it.
  const wsId = workspace?.id ?? "";
  useEffect(() => {
    return () => realtime.restart();
  }, [wsId]);
  const allowed = (need: Scope | "member" | "any") => need === "any" || (need === "member" ? me.kind === "user" && me.role !== null : can(need));
  return (
    <div className="app">
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <nav className="sidebar" aria-label="Main">
        <div className="brand">voqo</div>
        <ul>
          {NAV.filter(([, , need]) => allowed(need)).map(([to, label]) => (
            <li key={to}>
              <NavLink to={to} end={to === "/"}>{label}</NavLink>
            </li>
          ))}
        </ul>
        <WorkspaceSwitcher />
        <div className="sidebar-user">
          {me.user ? <span>Signed in as {me.user.email}</span> : me.key ? <span>API key {me.key.name}</span> : null}
          <button type="button" className="btn small" onClick={() => void session.signOut()}>
            Sign out
          </button>
        </div>
      </nav>
      <main id="main" tabIndex={-1}>
        {workspace ? (
          <Routes key={wsId}>
            <Route path="/" element={<HomePage />} />
            <Route path="/agents" element={<AgentsPage />} />
            <Route path="/agents/new" element={<AgentWizardPage />} />
            <Route path="/agents/:id" element={<AgentDetailPage />} />
            <Route path="/agents/:id/edit" element={<AgentWizardPage />} />
            <Route path="/instruction-templates" element={<InstructionTemplatesPage />} />
            <Route path="/campaigns" element={<CampaignsPage />} />
            <Route path="/campaigns/:id" element={<CampaignPage />} />
            <Route path="/jobs/:id" element={<JobPage />} />
            <Route path="/live" element={<LiveCallsPage />} />
            <Route path="/live/:id" element={<LiveCallPage />} />
            <Route path="/calls" element={<CallsPage />} />
            <Route path="/calls/:id" element={<CallPage />} />
            <Route path="/contacts" element={<ContactsPage />} />
            <Route path="/contacts/:id" element={<ContactPage />} />
            <Route path="/do-not-call" element={<DoNotCallPage />} />
            <Route path="/deliveries" element={<DeliveriesPage />} />
            <Route path="/settings" element={<SettingsPage />} />
            <Route path="/members" element={<MembersPage />} />
            <Route path="/keys" element={<KeysPage />} />
            <Route path="/audit-log" element={<AuditLogPage />} />
            <Route path="*" element={<p>Page not found.</p>} />
          </Routes>
        ) : (
          <>
            <h1>No workspace yet</h1>
            <p>You belong to no workspace. Create one with “New workspace” in the sidebar, or ask an owner to invite you.</p>
          </>
        )}
      </main>
    </div>
  );
}
