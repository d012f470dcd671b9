// Instruction templates (issue 19 §2): an agent's instructions with typed
// {{variables}}; own, other workspaces' public and the system templates.
export { InstructionTemplatesPage } from "./InstructionTemplatesPage";
