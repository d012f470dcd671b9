// The recent-calls feed and the activity log (status colours: success green,
// info blue, warning amber, error red).
import { Link } from "react-router";
import { dateTime, duration } from "../../../lib/format";
import { Badge, Empty, toneOf } from "../../../lib/ui";
import type { SwarmActivity, SwarmRecentCall } from "../../../api/types";
import { activityTone } from "./common";

export function RecentCalls({ calls }: { calls: SwarmRecentCall[] }) {
  if (calls.length === 0) return <Empty>No calls yet.</Empty>;
  return (
    <div className="table-wrap">
      <table aria-label="Recent calls">
        <thead>
          <tr>
            <th scope="col">Prospect</th>
            <th scope="col">Company</th>
            <th scope="col">Agent</th>
            <th scope="col">Outcome</th>
            <th scope="col" className="campaigns-num">Duration</th>
            <th scope="col" className="campaigns-num">Quality</th>
            <th scope="col">Sentiment</th>
            <th scope="col">Next action</th>
            <th scope="col">When</th>
          </tr>
        </thead>
        <tbody>
          {calls.map((c) => (
            <tr key={c.id}>
              <td>
                <Link to={`/calls/${c.callId}`}>{c.prospectName || c.phone || "call"}</Link>
                {c.prospectName && c.phone && <small className="swarm-block muted">{c.phone}</small>}
              </td>
              <td>{c.company ?? "—"}</td>
              <td>{c.agentName ?? "—"}</td>
              <td>
                <Badge tone={toneOf(c.outcome ?? c.status)}>{c.outcome ?? c.status}</Badge>
              </td>
              <td className="campaigns-num">{duration(c.duration)}</td>
              <td className="campaigns-num">{c.qualityScore === null ? "—" : c.qualityScore.toFixed(0)}</td>
              <td>{c.sentiment ?? "—"}</td>
              <td>{c.nextAction ?? "—"}</td>
              <td className="campaigns-nowrap">{dateTime(c.createdAt)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

export function ActivityLog({ items }: { items: SwarmActivity[] }) {
  if (items.length === 0) return <Empty>Nothing has happened yet.</Empty>;
  return (
    <ol className="swarm-activity" aria-label="Activity log" tabIndex={0}>
      {items.map((a) => (
        <li key={a.id} className={`swarm-activity-item ${activityTone(a.status)}`}>
          <Badge tone={activityTone(a.status)}>{a.status}</Badge> <code>{a.activityType}</code> <span>{a.message}</span>{" "}
          <time className="muted campaigns-small" dateTime={a.createdAt}>
            {dateTime(a.createdAt)}
          </time>
        </li>
      ))}
    </ol>
  );
}
