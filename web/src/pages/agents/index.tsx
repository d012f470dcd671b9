export function AgentsPage() { return <h1>Agents</h1>; }
export function AgentWizardPage() { return <h1>Create agent</h1>; }
export function AgentDetailPage() { return <h1>Agent</h1>; }
