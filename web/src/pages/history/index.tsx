export function CallsPage() { return <h1>Calls</h1>; }
export function CallPage() { return <h1>Call</h1>; }
export function ContactsPage() { return <h1>Contacts</h1>; }
export function ContactPage() { return <h1>Contact</h1>; }
export function SettingsPage() { return <h1>Settings</h1>; }
