// Rows of custom functions (tools the agent's brain may call) inside the
// wizard's last step. The rows are saved after the agent itself: new rows are
// POSTed, changed ones PATCHed, removed ones DELETEd.
import { Field } from "../../lib/ui";
import { AUTH_TYPES, FUNCTION_RULES, METHODS, newFunctionRow, type FunctionForm } from "./rules";
import { label } from "./parts";

interface Props {
  rows: FunctionForm[];
  errors: Record<string, string>;
  onChange: (rows: FunctionForm[], touched?: string) => void;
}

export function FunctionsEditor({ rows, errors, onChange }: Props) {
  const update = (i: number, patch: Partial<FunctionForm>) => {
    const key = Object.keys(patch)[0];
    onChange(
      rows.map((r, j) => (j === i ? { ...r, ...patch } : r)),
      key === "authHeaderName" || key === "authUsername" ? undefined : `functions[${i}].${key}`,
    );
  };
  return (
    <section className="agents-functions" aria-labelledby="agents-functions-title">
      <h3 id="agents-functions-title">Custom functions</h3>
      <p className="muted">HTTP endpoints the agent may call during a conversation, described to the LLM by name, description and a JSON Schema of the arguments.</p>
      {rows.length === 0 && <p className="empty">No custom functions.</p>}
      {rows.map((row, i) => {
        const err = (k: string) => errors[`functions[${i}].${k}`];
        const title = `Function ${i + 1}${row.name ? `: ${row.name}` : ""}`;
        return (
          <fieldset key={row.key} className="agents-function card">
            <legend>{title}</legend>
            <div className="grid two">
              <Field label={FUNCTION_RULES.name.label} error={err("name")} hint="Letters, digits, '_' and '-'">
                {(id, d) => <input id={id} aria-describedby={d} value={row.name} onChange={(e) => update(i, { name: e.target.value })} />}
              </Field>
              <div className="agents-inline">
                <Field label="Method">
                  {(id) => (
                    <select id={id} value={row.method} onChange={(e) => update(i, { method: e.target.value as FunctionForm["method"] })}>
                      {METHODS.map((m) => (
                        <option key={m}>{m}</option>
                      ))}
                    </select>
                  )}
                </Field>
                <Field label={FUNCTION_RULES.timeout.label} error={err("timeout")}>
                  {(id, d) => (
                    <input id={id} aria-describedby={d} type="number" min={1} max={300} step={1} value={row.timeout} onChange={(e) => update(i, { timeout: e.target.value })} />
                  )}
                </Field>
              </div>
            </div>
            <Field label={FUNCTION_RULES.description.label} error={err("description")}>
              {(id, d) => <textarea id={id} aria-describedby={d} rows={2} value={row.description} onChange={(e) => update(i, { description: e.target.value })} />}
            </Field>
            <Field label={FUNCTION_RULES.endpoint.label} error={err("endpoint") ?? err("url")}>
              {(id, d) => (
                <input id={id} aria-describedby={d} type="url" placeholder="https://api.example.com/lookup" value={row.endpoint} onChange={(e) => update(i, { endpoint: e.target.value })} />
              )}
            </Field>
            <div className="grid two">
              <Field label="Authentication" error={err("authType") ?? err("authConfig")} hint={row.id && row.authType !== "none" ? "Stored credentials are never shown; leave blank to keep them." : undefined}>
                {(id, d) => (
                  <select id={id} aria-describedby={d} value={row.authType} onChange={(e) => update(i, { authType: e.target.value as FunctionForm["authType"] })}>
                    {AUTH_TYPES.map((a) => (
                      <option key={a} value={a}>
                        {a === "api_key" ? "API key" : label(a)}
                      </option>
                    ))}
                  </select>
                )}
              </Field>
              <div className="agents-inline">
                {row.authType === "api_key" && (
                  <Field label="API key header">
                    {(id) => <input id={id} placeholder="X-API-Key" value={row.authHeaderName} onChange={(e) => update(i, { authHeaderName: e.target.value })} />}
                  </Field>
                )}
                {row.authType === "basic" && (
                  <Field label="Username">
                    {(id) => <input id={id} autoComplete="off" value={row.authUsername} onChange={(e) => update(i, { authUsername: e.target.value })} />}
                  </Field>
                )}
                {row.authType !== "none" && (
                  <Field label={row.authType === "api_key" ? "API key" : row.authType === "bearer" ? "Token" : "Password"}>
                    {(id) => <input id={id} type="password" autoComplete="new-password" value={row.authSecret} onChange={(e) => update(i, { authSecret: e.target.value })} />}
                  </Field>
                )}
              </div>
            </div>
            <div className="grid two">
              <Field label={FUNCTION_RULES.headers.label} error={err("headers")} hint='e.g. {"X-Team": "sales"}'>
                {(id, d) => <textarea id={id} aria-describedby={d} className="agents-code" rows={3} spellCheck={false} value={row.headers} onChange={(e) => update(i, { headers: e.target.value })} />}
              </Field>
              <Field label={FUNCTION_RULES.parameters.label} error={err("parameters")}>
                {(id, d) => <textarea id={id} aria-describedby={d} className="agents-code" rows={5} spellCheck={false} value={row.parameters} onChange={(e) => update(i, { parameters: e.target.value })} />}
              </Field>
            </div>
            <div className="agents-row-end">
              <label className="check">
                <input type="checkbox" checked={row.enabled} onChange={(e) => update(i, { enabled: e.target.checked })} /> Enabled
              </label>
              <button type="button" className="btn small" aria-label={`Remove function ${i + 1}`} onClick={() => onChange(rows.filter((_, j) => j !== i))}>
                Remove
              </button>
            </div>
          </fieldset>
        );
      })}
      <button type="button" className="btn" onClick={() => onChange([...rows, newFunctionRow()])}>
        Add function
      </button>
    </section>
  );
}
