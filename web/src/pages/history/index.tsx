// History: past calls, contacts with their memories, and the settings page.
import "./history.css";

export { CallsPage } from "./CallsPage";
export { CallPage } from "./CallPage";
export { ContactsPage } from "./ContactsPage";
export { ContactPage } from "./ContactPage";
export { SettingsPage } from "./SettingsPage";
