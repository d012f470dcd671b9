// Shapes of the compliance and outbox resources (see the OpenAPI document).

export type DncSource = "api" | "import" | "call";

export interface DoNotCall {
  id: string;
  phone: string;
  reason: string | null;
  source: DncSource;
  callId: string | null;
  createdAt: string;
}

export interface DncImportReport {
  added: number;
  alreadyListed: number;
  rejectedCount: number;
  rejected: { line: number; reason: string }[];
}

export const SMS_STATUSES = ["queued", "sent", "delivered", "failed", "skipped"] as const;

export interface SmsMessage {
  id: string;
  callId: string | null;
  contactId: string | null;
  agentId: string | null;
  toPhone: string;
  fromPhone: string | null;
  body: string;
  provider: "outbox" | "twilio";
  status: (typeof SMS_STATUSES)[number];
  providerMessageId: string | null;
  errorMessage: string | null;
  attempts: number;
  sentAt: string | null;
  createdAt: string;
}

export const WEBHOOK_STATUSES = ["pending", "delivered", "failed"] as const;
export const WEBHOOK_EVENTS = ["call.started", "call.ended", "job.completed"] as const;

export interface WebhookEvent {
  id: string;
  seq: number;
  event: (typeof WEBHOOK_EVENTS)[number];
  url: string;
  agentId: string | null;
  callId: string | null;
  jobId: string | null;
  status: (typeof WEBHOOK_STATUSES)[number];
  attempts: number;
  failureCount: number;
  lastStatusCode: number | null;
  lastError: string | null;
  nextAttemptAt: string;
  deliveredAt: string | null;
  createdAt: string;
}
