// The shell: navigation, the API-key prompt (shown when the server answers
// 401), and the routes of every screen.
import { useEffect, useState } from "react";
import { NavLink, Route, Routes } from "react-router";
import { apiKey, setApiKey } from "./lib/api";
import { AgentsPage, AgentWizardPage, AgentDetailPage } from "./pages/agents";
import { CampaignsPage, CampaignPage, JobPage } from "./pages/campaigns";
import { LiveCallsPage, LiveCallPage } from "./pages/live";
import { CallsPage, CallPage, ContactsPage, ContactPage, SettingsPage } from "./pages/history";
import { DeliveriesPage, DoNotCallPage } from "./pages/compliance";
import { Field } from "./lib/ui";

const NAV = [
  ["/agents", "Agents"],
  ["/campaigns", "Campaigns"],
  ["/live", "Live calls"],
  ["/calls", "Calls"],
  ["/contacts", "Contacts"],
  ["/do-not-call", "Do not call"],
  ["/deliveries", "SMS & webhooks"],
  ["/settings", "Settings"],
] as const;

function KeyPrompt({ onDone }: { onDone: () => void }) {
  const [key, setKey] = useState(apiKey());
  return (
    <form
      className="card key-prompt"
      onSubmit={(e) => {
        e.preventDefault();
        setApiKey(key.trim());
        onDone();
      }}
    >
      <h2>API key required</h2>
      <p>This voqo server was started with an API key. Enter it to continue; it is kept in this browser only.</p>
      {apiKey() && (
        <p className="field-error" role="alert">
          The server refused the key this browser has. Enter the right one.
        </p>
      )}
      <Field label="API key">
        {(id) => <input id={id} type="password" autoComplete="off" value={key} onChange={(e) => setKey(e.target.value)} />}
      </Field>
      <button className="btn primary" type="submit">
        Save
      </button>
    </form>
  );
}

export default function App() {
  const [needKey, setNeedKey] = useState(false);
  useEffect(() => {
    const on = () => setNeedKey(true);
    window.addEventListener("voqo-unauthorized", on);
    return () => window.removeEventListener("voqo-unauthorized", on);
  }, []);
  return (
    <div className="app">
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <nav className="sidebar" aria-label="Main">
        <div className="brand">voqo</div>
        <ul>
          {NAV.map(([to, label]) => (
            <li key={to}>
              <NavLink to={to}>{label}</NavLink>
            </li>
          ))}
        </ul>
      </nav>
      <main id="main" tabIndex={-1}>
        {needKey && <KeyPrompt onDone={() => location.reload()} />}
        <Routes>
          <Route path="/" element={<AgentsPage />} />
          <Route path="/agents" element={<AgentsPage />} />
          <Route path="/agents/new" element={<AgentWizardPage />} />
          <Route path="/agents/:id" element={<AgentDetailPage />} />
          <Route path="/agents/:id/edit" element={<AgentWizardPage />} />
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
          <Route path="*" element={<p>Page not found.</p>} />
        </Routes>
      </main>
    </div>
  );
}
