// Shapes of the agent endpoints (see the Agent, AgentConfiguration and
// CustomFunction schemas of the OpenAPI document).

export type Purpose = "sales" | "support" | "appointment" | "technical" | "custom";
export type Template = "property_sales" | "property_manager" | "custom";
export type VoiceStyle = "professional" | "friendly" | "energetic" | "calm" | "custom";
export type AgentStatus = "active" | "idle" | "offline" | "configuring" | "error";
export type HttpMethod = "GET" | "POST" | "PUT" | "PATCH" | "DELETE";
export type AuthType = "none" | "api_key" | "bearer" | "basic";

/** The fields a user configures (AgentCreate / AgentUpdate). */
export interface AgentConfigurable {
  name: string;
  description: string | null;
  systemPrompt: string;
  template: Template;
  greetingMessage: string | null;
  voicemailMessage: string | null;
  enabled: boolean;
  purpose: Purpose;
  customPurpose: string | null;
  voiceProvider: string;
  voiceId: string;
  voiceStyle: VoiceStyle;
  speechRate: number;
  pitch: number;
  language: string;
  responseDelayMs: number;
  interruptionSensitivity: number;
  silenceThresholdMs: number;
  maxCallDurationMin: number;
  temperature: number;
  maxTokens: number;
  enableTranscription: boolean;
  enableAnalytics: boolean;
  webhookUrl: string | null;
}

export interface Agent extends AgentConfigurable {
  id: string;
  elevenlabsAgentId: string | null;
  status: AgentStatus;
  lastActiveAt: string | null;
  totalCalls: number;
  successRate: number;
  avgCallDurationS: number;
  satisfactionRating: number | null;
  createdAt: string;
  updatedAt: string;
}

export interface AgentConfiguration {
  id: string;
  agentId: string;
  version: number;
  configuration: Partial<AgentConfigurable> & Record<string, unknown>;
  createdAt: string;
  isActive: boolean;
}

export interface CustomFunction {
  id: string;
  agentId: string;
  name: string;
  description: string;
  endpoint: string;
  method: HttpMethod;
  headers: Record<string, unknown>;
  authType: AuthType;
  parameters: Record<string, unknown>;
  responseMapping: Record<string, unknown> | null;
  timeout: number;
  enabled: boolean;
  createdAt: string;
  updatedAt: string;
}
