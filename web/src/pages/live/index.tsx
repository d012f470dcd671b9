export function LiveCallsPage() { return <h1>Live calls</h1>; }
export function LiveCallPage() { return <h1>Live call</h1>; }
