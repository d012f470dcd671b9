export function DoNotCallPage() { return <h1>Do-not-call list</h1>; }
export function DeliveriesPage() { return <h1>Deliveries</h1>; }
