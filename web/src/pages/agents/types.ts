// Shapes of the agent endpoints: the Agent, AgentConfiguration and
// CustomFunction schemas of the OpenAPI document (generated: src/api/types.ts).
import type { Agent, AgentCreate, AgentConfiguration, CustomFunction } from "../../api/types";

export type { Agent, AgentConfiguration, CustomFunction };

export type Purpose = Agent["purpose"];
export type Template = Agent["template"];
export type VoiceStyle = Agent["voiceStyle"];
export type AgentStatus = Agent["status"];
export type HttpMethod = CustomFunction["method"];
export type AuthType = CustomFunction["authType"];

/** The fields the wizard configures (of AgentCreate / AgentUpdate), each present. */
export type AgentConfigurable = Required<
  Pick<
    AgentCreate,
    | "name"
    | "description"
    | "systemPrompt"
    | "template"
    | "greetingMessage"
    | "greetOnAnswer"
    | "voicemailMessage"
    | "enabled"
    | "purpose"
    | "customPurpose"
    | "voiceProvider"
    | "voiceId"
    | "voiceStyle"
    | "speechRate"
    | "pitch"
    | "language"
    | "responseDelayMs"
    | "interruptionSensitivity"
    | "silenceThresholdMs"
    | "maxCallDurationMin"
    | "temperature"
    | "maxTokens"
    | "enableTranscription"
    | "enableAnalytics"
    | "webhookUrl"
  >
>;
