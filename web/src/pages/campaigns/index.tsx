export function CampaignsPage() { return <h1>Campaigns</h1>; }
export function CampaignPage() { return <h1>Campaign</h1>; }
export function JobPage() { return <h1>Job</h1>; }
