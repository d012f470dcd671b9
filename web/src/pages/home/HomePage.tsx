// The dashboard's landing page (issue 18 §10): today's and this week's figures
// across the workspace's campaigns (the sum of each campaign's daily and
// weekly metrics rows: the current local day/week of each campaign's time
// zone), the agents' figures today (GET /api/agents/{id}/metrics, the first
// HOME_AGENTS agents), the live calls now, and a trend of the calls per day
// over the last TREND_DAYS days. Each part shows only what the role may read;
// the agents list stays at /agents.
import { Link } from "react-router";
import { get, query, type Page } from "../../lib/api";
import { Chart } from "../../lib/charts";
import { useAsync } from "../../lib/hooks";
import { useCan } from "../../lib/session";
import { Empty, ErrorBanner, Loading, PageHeader } from "../../lib/ui";
import { pct } from "../campaigns/swarm/common";
import { rate, type Metrics } from "../campaigns/swarm/SwarmMetrics";
import type { Agent, Campaign, Schemas } from "../../api/types";
import "./home.css";

/** How many agents get their figures read (one request each). */
export const HOME_AGENTS = 10;
/** How many campaigns are summed (one request per campaign and period). */
export const HOME_CAMPAIGNS = 20;
/** Days in the trend chart. */
export const TREND_DAYS = 14;

interface Totals {
  calls: number;
  connected: number;
  conversions: number;
  abandoned: number;
  answered: number;
}
const ZERO: Totals = { calls: 0, connected: 0, conversions: 0, abandoned: 0, answered: 0 };

type Row = Metrics["items"][number];

/** The row whose period contains `now` (the current local day or week), or null. */
export function currentRow(m: Metrics, now: number): Row | null {
  return m.items.find((p) => Date.parse(p.periodStart) <= now && now < Date.parse(p.periodEnd)) ?? null;
}

function add(t: Totals, p: Row | null): Totals {
  if (!p) return t;
  return {
    calls: t.calls + p.totalCalls,
    connected: t.connected + p.connectedCalls,
    conversions: t.conversions + p.funnel.conversions,
    abandoned: t.abandoned + p.abandonedCalls,
    answered: t.answered + p.answeredByPerson,
  };
}

interface CampaignFigures {
  campaigns: number;
  active: number;
  today: Totals;
  week: Totals;
  /** Calls per UTC day (YYYY-MM-DD of the period's start), oldest first. */
  trend: [string, number, number][];
}

async function loadCampaigns(now: number): Promise<CampaignFigures> {
  const list = await get<Page<Campaign>>(query("/api/campaigns", { limit: HOME_CAMPAIGNS }));
  const from = new Date(now - (TREND_DAYS + 7) * 86_400_000).toISOString().replace(/\.\d{3}Z$/, "Z");
  const per = await Promise.all(
    list.items.map(async (c) => {
      const path = `/api/campaigns/${encodeURIComponent(c.id)}/metrics`;
      const [daily, weekly] = await Promise.all([
        get<Metrics>(query(path, { period: "daily", from })),
        get<Metrics>(query(path, { period: "weekly", from })),
      ]);
      return { daily, weekly };
    }),
  );
  let today = ZERO;
  let week = ZERO;
  const days = new Map<string, [number, number]>();
  for (const { daily, weekly } of per) {
    today = add(today, currentRow(daily, now));
    week = add(week, currentRow(weekly, now));
    for (const p of daily.items) {
      const key = new Date(Date.parse(p.periodStart) + 12 * 3_600_000).toISOString().slice(0, 10); // the local day's noon, in UTC
      const [a, b] = days.get(key) ?? [0, 0];
      days.set(key, [a + p.totalCalls, b + p.connectedCalls]);
    }
  }
  const trend: [string, number, number][] = [];
  for (let i = TREND_DAYS - 1; i >= 0; i--) {
    const key = new Date(now - i * 86_400_000).toISOString().slice(0, 10);
    const [a, b] = days.get(key) ?? [0, 0];
    trend.push([key, a, b]);
  }
  return { campaigns: list.items.length, active: list.items.filter((c) => c.status === "active").length, today, week, trend };
}

interface AgentFigures {
  agent: Agent;
  today: Row | null;
}

async function loadAgents(now: number): Promise<AgentFigures[]> {
  const list = await get<Page<Agent>>(query("/api/agents", { limit: HOME_AGENTS }));
  return Promise.all(
    list.items.map(async (agent) => {
      const m = await get<Metrics>(query(`/api/agents/${encodeURIComponent(agent.id)}/metrics`, { period: "daily" }));
      return { agent, today: currentRow(m, now) };
    }),
  );
}

function TotalsList({ label, t }: { label: string; t: Totals }) {
  const figures: [string, string | number][] = [
    ["Calls", t.calls],
    ["Connected", t.connected],
    ["Connection rate", t.calls ? pct(t.connected / t.calls) : "—"],
    ["Conversions", t.conversions],
    ["Abandon rate", t.answered ? pct(t.abandoned / t.answered) : "—"],
  ];
  return (
    <section className="card home-figures" aria-labelledby={`home-${label}`}>
      <h2 id={`home-${label}`}>{label === "today" ? "Today" : "This week"}</h2>
      <dl>
        {figures.map(([k, v]) => (
          <div key={k}>
            <dt>{k}</dt>
            <dd>{v}</dd>
          </div>
        ))}
      </dl>
    </section>
  );
}

export function HomePage() {
  const can = useCan();
  const now = Date.now();
  const campaigns = useAsync(() => (can("campaigns:read") ? loadCampaigns(now) : Promise.resolve(null)), []);
  const agents = useAsync(() => (can("agents:read") ? loadAgents(now) : Promise.resolve(null)), []);
  const live = useAsync(() => (can("live:read") ? get<Schemas["LiveCallList"]>("/api/live-calls") : Promise.resolve(null)), []);
  const c = campaigns.data;
  return (
    <>
      <PageHeader title="Home">
        <p className="muted">Today and this week across your campaigns, agents and live calls.</p>
      </PageHeader>
      {can("live:read") && (
        <section className="card home-live" aria-labelledby="home-live">
          <h2 id="home-live">Live calls now</h2>
          {live.error ? <ErrorBanner error={live.error} onRetry={live.reload} /> : !live.data ? <Loading what="Loading live calls" /> : (
            <p>
              <span className="home-big" data-testid="live-count">{live.data.items.length}</span>{" "}
              <Link to="/live">{live.data.items.length === 1 ? "call in progress" : "calls in progress"}</Link>
            </p>
          )}
        </section>
      )}
      {can("campaigns:read") &&
        (campaigns.error ? <ErrorBanner error={campaigns.error} onRetry={campaigns.reload} /> : !c ? <Loading what="Loading campaign figures" /> : (
          <>
            <div className="home-two">
              <TotalsList label="today" t={c.today} />
              <TotalsList label="week" t={c.week} />
            </div>
            <section className="card" aria-labelledby="home-trend">
              <h2 id="home-trend">Trend</h2>
              <p className="muted">
                {c.campaigns} {c.campaigns === 1 ? "campaign" : "campaigns"}, {c.active} active. <Link to="/campaigns">All campaigns</Link>
              </p>
              <Chart title={`Calls per day, last ${TREND_DAYS} days`} labels={c.trend.map(([d]) => d.slice(5))} line
                series={[{ name: "Calls", values: c.trend.map(([, a]) => a) }, { name: "Connected", values: c.trend.map(([, , b]) => b) }]} />
            </section>
          </>
        ))}
      {can("agents:read") && (
        <section className="card" aria-labelledby="home-agents">
          <h2 id="home-agents">Agents today</h2>
          {agents.error ? <ErrorBanner error={agents.error} onRetry={agents.reload} /> : !agents.data ? <Loading what="Loading agent figures" /> : agents.data.length === 0 ? (
            <Empty>No agents yet. <Link to="/agents/new">Create one</Link>.</Empty>
          ) : (
            <>
              <table className="home-agents">
                  <caption className="sr-only">Agents today</caption>
                  <thead>
                    <tr>
                      <th scope="col">Agent</th>
                      <th scope="col">Calls</th>
                      <th scope="col">Connected</th>
                      <th scope="col">Connection rate</th>
                      <th scope="col">Conversion rate</th>
                    </tr>
                  </thead>
                  <tbody>
                    {agents.data.map(({ agent, today }) => (
                      <tr key={agent.id}>
                        <th scope="row"><Link to={`/agents/${encodeURIComponent(agent.id)}`}>{agent.name}</Link></th>
                        <td>{today?.totalCalls ?? 0}</td>
                        <td>{today?.connectedCalls ?? 0}</td>
                        <td>{rate(today?.connectionRate)}</td>
                        <td>{rate(today?.conversionRate)}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              <p><Link to="/agents">All agents</Link></p>
            </>
          )}
        </section>
      )}
    </>
  );
}
