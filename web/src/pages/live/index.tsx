// The live monitor (issue 6 §4): /live lists the calls in progress, /live/:id
// watches one call and acts on it. Data: the realtime queries `liveCalls` and
// `liveCall {id}` (docs/REALTIME.md, src/live/live_monitor.cpp).
import "./live.css";

export { LiveCallsPage } from "./LiveCallsPage";
export { LiveCallPage } from "./LiveCallPage";
