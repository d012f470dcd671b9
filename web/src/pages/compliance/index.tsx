// Compliance and deliveries: the do-not-call list (/do-not-call) and the
// outboxes of the outcome loop, follow-up SMS and webhook events (/deliveries).
import "./compliance.css";

export { DoNotCallPage } from "./DoNotCallPage";
export { DeliveriesPage } from "./DeliveriesPage";
