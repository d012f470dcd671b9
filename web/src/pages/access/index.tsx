export { LoginPage } from "./LoginPage";
export { MembersPage } from "./MembersPage";
export { KeysPage } from "./KeysPage";
export { AuditLogPage } from "./AuditLogPage";
export { WorkspaceSwitcher } from "./WorkspaceSwitcher";
