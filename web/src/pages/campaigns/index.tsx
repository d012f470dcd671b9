// Campaigns: the list, one campaign (uploads, import report, jobs, "Start a
// job") and a job's live overview.
import "./campaigns.css";

export { CampaignsPage } from "./CampaignsPage";
export { CampaignPage } from "./CampaignPage";
export { JobPage } from "./JobPage";
