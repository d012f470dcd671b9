// Agents: the list, the four-step create/edit wizard, and one agent's page
// with its configuration versions and custom functions.
import "./agents.css";

export { AgentsPage } from "./AgentsPage";
export { AgentWizardPage } from "./AgentWizardPage";
export { AgentDetailPage } from "./AgentDetailPage";
