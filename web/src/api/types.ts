// The API's shapes by name, from the types generated out of the OpenAPI
// document (openapi.json → schema.gen.ts by `npm run generate`, which the
// build runs before tsc). Pages import their API types from here, so a field
// the API renames, retypes or drops fails the dashboard's type check.
import type { components } from "./schema.gen";

export type Schemas = components["schemas"];

export type Agent = Schemas["Agent"];
export type AgentCreate = Schemas["AgentCreate"];
export type AgentConfiguration = Schemas["AgentConfiguration"];
export type CustomFunction = Schemas["CustomFunction"];
export type Call = Schemas["Call"];
export type CallAnalytics = Schemas["CallAnalytics"];
export type Contact = Schemas["Contact"];
export type Memory = Schemas["Memory"];
export type Campaign = Schemas["Campaign"];
export type Upload = Schemas["Upload"];
export type UploadRejection = Schemas["UploadRejection"];
export type RowIssue = Schemas["RowIssue"];
export type ImportReport = Schemas["ImportReport"];
export type SwarmAgent = Schemas["SwarmAgent"];
export type SwarmAgentCreate = Schemas["SwarmAgentCreate"];
export type AutoscalingRule = Schemas["AutoscalingRule"];
export type AutoscalingRuleCreate = Schemas["AutoscalingRuleCreate"];
export type Objective = Schemas["Objective"];
export type ObjectiveCreate = Schemas["ObjectiveCreate"];
export type SwarmActivity = Schemas["SwarmActivity"];
export type SwarmRecentCall = Schemas["SwarmRecentCall"];
export type CallFlowStep = Schemas["CallFlowStep"];
export type ScriptTemplate = Schemas["ScriptTemplate"];
