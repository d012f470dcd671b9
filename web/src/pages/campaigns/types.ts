// The API shapes this area reads: records from the OpenAPI document
// (generated: src/api/types.ts); realtime data from
// src/live/live_monitor.cpp (job_view and campaign_stats).
import type { Campaign, ImportReport, RowIssue, Upload, UploadRejection } from "../../api/types";

export type { Campaign, ImportReport, RowIssue, Upload, UploadRejection };

export interface CallingWindow {
  start: string;
  end: string;
  timezone: string;
  daysOfWeek?: number[];
}

export interface RetryPolicy {
  maxAttempts: number;
  backoffMinutes: number;
}

export type JobStatus = "pending" | "running" | "completed" | "failed" | "cancelled";

/** The dialer's live view of a job (only while the dialer knows it). */
export interface JobProgress {
  status: string;
  total: number;
  pending: number;
  waiting: number;
  calling: number;
  completed: number;
  failed: number;
  paused: boolean;
  outcomes: Record<string, number>;
}

export interface Job {
  id: string;
  campaignId: string;
  uploadId: string;
  agentId: string;
  status: JobStatus;
  totalCalls: number;
  completedCalls: number;
  failedCalls: number;
  startedAt: string | null;
  finishedAt: string | null;
  createdAt: string;
  updatedAt: string | null;
  maxConcurrent: number;
  callsPerSecond: number;
  retry: RetryPolicy;
  callingWindow: CallingWindow | null;
  errorMessage: string | null;
  pausedAt: string | null;
  progress?: JobProgress;
}

export interface JobEvent {
  id: number;
  jobId: string;
  jobCallId: string | null;
  callId: string | null;
  type: "state" | "dial" | "skip" | "wait" | "retry" | "result" | "pacing" | "recover";
  message: string;
  details: Record<string, unknown>;
  createdAt: string;
}

export interface RecentCall {
  callId: string;
  prospectPhone: string | null;
  prospectName: string | null;
  status: string | null;
  outcome: string | null;
  duration: number | null;
  endedAt: string | null;
  sentiment: string | null;
}

/** Realtime `campaignStats {id}`: the campaign's job calls by state and outcome. */
export interface CampaignStats {
  campaignId: string;
  total: number;
  pending: number;
  inProgress: number;
  completed: number;
  failed: number;
  /** Calls placed so far (every attempt). */
  placed: number;
  outcomes: Record<string, number>;
  recentCalls: RecentCall[];
}

export interface AgentSummary {
  id: string;
  name: string;
  enabled: boolean;
  status: string;
}
