// /settings: every key of GET /api/settings, grouped in sections that save
// on their own. Secrets are write-only (see settingsParts.tsx).
import { useRef, useState } from "react";
import { get } from "../../lib/api";
import { useAsync } from "../../lib/hooks";
import { useCan } from "../../lib/session";
import { Badge, ErrorBanner, Field, Loading, PageHeader } from "../../lib/ui";
import { useAgents } from "./CallsPage";
import { countSms, renderSms, SAMPLE_VALUES, SMS_VARIABLES, unknownVariables } from "./sms";
import { checkTime, checkUrl, MASK, obj, required, Section, secret, SecretField, secretOut, str, TextField, useSave, type Secret, type Settings } from "./settingsParts";

const SECTIONS = [
  ["settings-sms", "Follow-up SMS"],
  ["settings-behaviour", "Behaviour"],
  ["settings-dialing", "Dialing"],
  ["settings-sip", "SIP trunk"],
  ["settings-inbound", "Inbound routing"],
  ["settings-speech", "Speech providers"],
  ["settings-llm", "Language model"],
  ["settings-smsprov", "SMS provider"],
  ["settings-prices", "Call prices"],
  ["settings-webhooks", "Webhooks"],
] as const;

type Saved = (s: Settings) => void;

export function SettingsPage() {
  const canWrite = useCan()("settings:write");
  const settings = useAsync(() => get<Settings>("/api/settings"), []);
  const s = settings.data;
  return (
    <>
      <PageHeader title="Settings">
        <p className="muted">Each section saves on its own. Keys and passwords are write-only: they are never shown again once saved.</p>
        {!canWrite && <p className="muted">Read-only: your role in this workspace cannot change settings.</p>}
      </PageHeader>
      {!s && (settings.loading ? <Loading what="Loading settings" /> : <ErrorBanner error={settings.error} onRetry={settings.reload} />)}
      {s && (
        <div className="hist-settings">
          <nav className="hist-toc" aria-label="Settings sections">
            <ul>
              {SECTIONS.map(([id, title]) => (
                <li key={id}>
                  <a href={`#${id}`}>{title}</a>
                </li>
              ))}
            </ul>
          </nav>
          <div className="hist-sections">
            <SmsTemplate s={s} onSaved={settings.setData} />
            <Behaviour s={s} onSaved={settings.setData} />
            <Dialing s={s} onSaved={settings.setData} />
            <SipTrunk s={s} onSaved={settings.setData} />
            <Inbound s={s} onSaved={settings.setData} />
            <InboundSecurity s={s} onSaved={settings.setData} />
            <Speech s={s} onSaved={settings.setData} />
            <Llm s={s} onSaved={settings.setData} />
            <SmsProvider s={s} onSaved={settings.setData} />
            <Prices s={s} onSaved={settings.setData} />
            <Webhooks s={s} onSaved={settings.setData} />
          </div>
        </div>
      )}
    </>
  );
}

function SmsTemplate({ s, onSaved }: { s: Settings; onSaved: Saved }) {
  const [text, setText] = useState(str(s.sms_template));
  const area = useRef<HTMLTextAreaElement>(null);
  const st = useSave(["sms_template"], onSaved);
  const preview = renderSms(text, SAMPLE_VALUES);
  const count = countSms(preview);
  const unknown = unknownVariables(text);
  const insert = (name: string) => {
    const el = area.current;
    const token = `{${name}}`;
    const at = el ? el.selectionStart : text.length;
    const end = el ? el.selectionEnd : text.length;
    setText(text.slice(0, at) + token + text.slice(end));
    st.touch();
    requestAnimationFrame(() => {
      el?.focus();
      el?.setSelectionRange(at + token.length, at + token.length);
    });
  };
  return (
    <Section
      id="settings-sms"
      title="Follow-up SMS"
      description="Sent after a call when SMS is on. Variables: {caller_name}, {call_summary}, {agent_name}."
      state={st}
      onSubmit={() => void st.save({ sms_template: text }).then((r) => r && setText(str(r.sms_template)))}
    >
      <Field label="SMS template" error={st.fieldError("sms_template")} hint={`${Array.from(text).length} / 1600 characters`}>
        {(id, d) => (
          <textarea ref={area} id={id} aria-describedby={d} maxLength={1600} value={text} onChange={(e) => setText(e.target.value)} />
        )}
      </Field>
      <div className="hist-row hist-vars" role="group" aria-label="Insert a variable">
        {SMS_VARIABLES.map((v) => (
          <button key={v} type="button" className="btn small" onClick={() => insert(v)}>
            Insert {`{${v}}`}
          </button>
        ))}
      </div>
      {unknown.length > 0 && (
        <p className="hist-warn" role="note">
          Not a variable, sent as written: {unknown.join(", ")}
        </p>
      )}
      <figure className="hist-preview">
        <figcaption>
          Preview with sample values ({Object.values(SAMPLE_VALUES).join(" · ")})
        </figcaption>
        <output aria-label="SMS preview" className="hist-bubble">
          {preview || <span className="muted">(empty message)</span>}
        </output>
        <p className="muted small" aria-live="polite" data-testid="sms-count">
          {count.chars} characters · {count.segments} SMS segment{count.segments === 1 ? "" : "s"} · {count.encoding}
          {count.encoding === "UCS-2" ? " (non-GSM characters: 70 per SMS, 67 when split)" : " (160 per SMS, 153 when split)"}
        </p>
      </figure>
    </Section>
  );
}

const TOGGLES = [
  ["sms_enabled", "Send follow-up SMS", "Send the follow-up SMS after calls."],
  ["sms_skip_silent", "Skip SMS for silent calls", "Skip the SMS for calls where the caller said nothing."],
  ["auto_create_contacts", "Create contacts from calls", "Create or update a contact from each call's phone number."],
  ["save_memories", "Save memories", "Save memories extracted from calls."],
  [
    "allow_private_tool_hosts",
    "Allow private tool hosts",
    "Let custom functions and webhooks reach loopback and private-network addresses (off: SSRF guard).",
  ],
] as const;

function Behaviour({ s, onSaved }: { s: Settings; onSaved: Saved }) {
  const init = (x: Settings) => Object.fromEntries(TOGGLES.map(([k]) => [k, x[k] === true]));
  const [v, setV] = useState(() => init(s));
  const st = useSave(TOGGLES.map(([k]) => k), onSaved);
  return (
    <Section id="settings-behaviour" title="Behaviour" state={st} onSubmit={() => void st.save(v).then((r) => r && setV(init(r)))}>
      {TOGGLES.map(([key, label, desc]) => (
        <div key={key} className="hist-toggle">
          <div className="check">
            <input
              id={`toggle-${key}`}
              type="checkbox"
              checked={v[key]}
              aria-describedby={`toggle-${key}-desc`}
              onChange={(e) => setV({ ...v, [key]: e.target.checked })}
            />
            <label htmlFor={`toggle-${key}`}>{label}</label>
          </div>
          <small id={`toggle-${key}-desc`} className="muted">
            {desc}
          </small>
          {st.fieldError(key) && (
            <small className="field-error hist-err" role="alert">
              {st.fieldError(key)}
            </small>
          )}
        </div>
      ))}
    </Section>
  );
}

function Dialing({ s, onSaved }: { s: Settings; onSaved: Saved }) {
  const init = (x: Settings) => ({
    region: str(x.default_region),
    start: str(obj(x.callee_local_hours).start, "08:00"),
    end: str(obj(x.callee_local_hours).end, "21:00"),
  });
  const [v, setV] = useState(() => init(s));
  const st = useSave(["default_region", "callee_local_hours", "callee_local_hours.start", "callee_local_hours.end"], onSaved);
  const hoursErr = st.fieldError("callee_local_hours");
  return (
    <Section
      id="settings-dialing"
      title="Dialing"
      state={st}
      onSubmit={() =>
        void st
          .save(
            {
              default_region: v.region.trim().toUpperCase(),
              callee_local_hours: { ...obj(s.callee_local_hours), start: v.start.trim(), end: v.end.trim() },
            },
            {
              "callee_local_hours.start": checkTime(v.start),
              "callee_local_hours.end": checkTime(v.end) ?? (v.end.trim() <= v.start.trim() ? "must be later than the earliest time" : undefined),
            },
          )
          .then((r) => r && setV(init(r)))
      }
    >
      <div className="hist-narrow">
      <TextField
        label="Default region"
        value={v.region}
        onChange={(region) => setV({ ...v, region })}
        maxLength={2}
        placeholder="US"
        hint="ISO 3166-1 code for numbers written without a country code."
        error={st.fieldError("default_region")}
      />
      </div>
      <fieldset className="hist-fieldset">
        <legend>Callee local hours</legend>
        <p className="muted small">Callees are dialed only between these times in their own time zone (from the number).</p>
        {hoursErr && (
          <small className="field-error" role="alert">
            {hoursErr}
          </small>
        )}
        <div className="grid two">
          <TextField label="Earliest" placeholder="08:00" hint="HH:MM, 24-hour" value={v.start} onChange={(start) => setV({ ...v, start })} error={st.fieldError("callee_local_hours.start")} />
          <TextField label="Latest" placeholder="21:00" hint="HH:MM, 24-hour; 24:00 is the end of the day" value={v.end} onChange={(end) => setV({ ...v, end })} error={st.fieldError("callee_local_hours.end")} />
        </div>
      </fieldset>
    </Section>
  );
}

function SipTrunk({ s, onSaved }: { s: Settings; onSaved: Saved }) {
  const init = (x: Settings) => {
    const t = obj(x.sip_trunk);
    return { uri: str(t.uri), transport: str(t.transport, "udp"), username: str(t.username), password: secret(t.password), callerId: str(t.callerId) };
  };
  const [v, setV] = useState(() => init(s));
  const k = (f: string) => `sip_trunk.${f}`;
  const st = useSave(["uri", "transport", "username", "password", "callerId"].map(k), onSaved);
  return (
    <Section
      id="settings-sip"
      title="SIP trunk"
      description="Where outbound calls go. `voqo serve --trunk` overrides the URI."
      state={st}
      onSubmit={() =>
        void st
          .save(
            {
              sip_trunk: { ...obj(s.sip_trunk), uri: v.uri.trim(), transport: v.transport, username: v.username, password: secretOut(v.password), callerId: v.callerId.trim() },
            },
            { [k("uri")]: v.uri.trim() === "" || /^sips?:\S+$/.test(v.uri.trim()) ? undefined : "must be a sip: URI such as sip:pbx.example.com:5060" },
          )
          .then((r) => r && setV(init(r)))
      }
    >
      <div className="grid two">
        <TextField label="Trunk URI" value={v.uri} onChange={(uri) => setV({ ...v, uri })} placeholder="sip:pbx.example.com:5060" error={st.fieldError(k("uri"))} />
        <Field label="Transport" error={st.fieldError(k("transport"))}>
          {(id, d) => (
            <select id={id} aria-describedby={d} value={v.transport} onChange={(e) => setV({ ...v, transport: e.target.value })}>
              <option value="udp">UDP</option>
              <option value="tcp">TCP</option>
            </select>
          )}
        </Field>
        <TextField label="SIP username" value={v.username} onChange={(username) => setV({ ...v, username })} error={st.fieldError(k("username"))} />
        <SecretField label="SIP password" value={v.password} onChange={(password) => setV({ ...v, password })} error={st.fieldError(k("password"))} />
        <TextField
          label="Caller ID"
          value={v.callerId}
          onChange={(callerId) => setV({ ...v, callerId })}
          placeholder="+14155550000"
          error={st.fieldError(k("callerId"))}
        />
      </div>
    </Section>
  );
}

function Inbound({ s, onSaved }: { s: Settings; onSaved: Saved }) {
  const agents = useAgents();
  const init = (x: Settings) => Object.entries(obj(x.inbound_numbers)).map(([number, agent]) => ({ number, agent: str(agent) }));
  const [rows, setRows] = useState(() => init(s));
  const paths = rows.map((r) => `inbound_numbers.${r.number}`);
  const st = useSave(paths, onSaved);
  const set = (i: number, patchRow: Partial<{ number: string; agent: string }>) => setRows(rows.map((r, j) => (j === i ? { ...r, ...patchRow } : r)));
  return (
    <Section
      id="settings-inbound"
      title="Inbound routing"
      description="Which agent answers a dialed number (E.164 or SIP user); * catches every other number."
      state={st}
      onSubmit={() =>
        void st
          .save(
            { inbound_numbers: Object.fromEntries(rows.filter((r) => r.number.trim()).map((r) => [r.number.trim(), r.agent])) },
            Object.fromEntries(
              rows.map((r, i) => [
                `inbound_numbers.${r.number}`,
                !r.number.trim()
                  ? undefined
                  : rows.findIndex((x) => x.number.trim() === r.number.trim()) !== i
                    ? "this number is routed twice"
                    : required(r.agent, "choose an agent"),
              ]),
            ),
          )
          .then((r) => r && setRows(init(r)))
      }
    >
      <ErrorBanner error={agents.error} onRetry={agents.reload} />
      {rows.length === 0 && <p className="muted">No routes: inbound calls are refused.</p>}
      {rows.map((r, i) => (
        <div key={i} className="hist-route">
          <TextField label={`Dialed number ${i + 1}`} value={r.number} onChange={(number) => set(i, { number })} placeholder="+14155550000 or *" error={st.fieldError(`inbound_numbers.${r.number}`)} />
          <Field label={`Agent for route ${i + 1}`}>
            {(id) => (
              <select id={id} value={r.agent} onChange={(e) => set(i, { agent: e.target.value })}>
                <option value="">Choose an agent</option>
                {(agents.data ?? []).map((a) => (
                  <option key={a.id} value={a.id}>
                    {a.name}
                  </option>
                ))}
                {r.agent && !(agents.data ?? []).some((a) => a.id === r.agent) && <option value={r.agent}>{r.agent}</option>}
              </select>
            )}
          </Field>
          <button type="button" className="btn small" onClick={() => setRows(rows.filter((_, j) => j !== i))} aria-label={`Remove route ${i + 1}`}>
            Remove
          </button>
        </div>
      ))}
      <p>
        <button type="button" className="btn small" onClick={() => setRows([...rows, { number: rows.some((r) => r.number === "*") ? "" : "*", agent: "" }])}>
          Add route
        </button>
      </p>
    </Section>
  );
}

/** A provider sub-object: kept if it was there or anything was filled in. */
/** Who may send us calls (sip_inbound_sources) and how many calls at once (max_concurrent_calls): docs/SECURITY.md. */
function InboundSecurity({ s, onSaved }: { s: Settings; onSaved: Saved }) {
  const init = (x: Settings) => ({
    sources: (Array.isArray(x.sip_inbound_sources) ? x.sip_inbound_sources : []).map((e) => str(e)).join(", "),
    maxCalls: String(x.max_concurrent_calls ?? ""),
  });
  const [v, setV] = useState(() => init(s));
  const entries = v.sources.split(/[\s,]+/).filter(Boolean);
  const paths = ["sip_inbound_sources", "max_concurrent_calls", ...entries.map((_, i) => `sip_inbound_sources.${i}`)];
  const st = useSave(paths, onSaved);
  // The API names the entry (sip_inbound_sources[i]): shown on the one field, with the entry it is about.
  const sourceError =
    st.fieldError("sip_inbound_sources") ??
    entries.map((e, i) => st.fieldError(`sip_inbound_sources.${i}`) && `${e}: ${st.fieldError(`sip_inbound_sources.${i}`)}`).find(Boolean);
  return (
    <Section
      id="settings-inbound-security"
      title="Inbound security"
      description="Where inbound calls may come from, and how many calls run at once. INVITEs from other addresses are refused (403); calls beyond the cap are told to retry later (503)."
      state={st}
      onSubmit={() =>
        void st
          .save(
            { sip_inbound_sources: entries, max_concurrent_calls: Number(v.maxCalls) },
            { max_concurrent_calls: /^\d+$/.test(v.maxCalls.trim()) ? undefined : "a whole number, 0 for no cap" },
          )
          .then((r) => r && setV(init(r)))
      }
    >
      <TextField
        label="Allowed sources"
        value={v.sources}
        onChange={(sources) => setV({ ...v, sources })}
        placeholder="203.0.113.0/24, 2001:db8::/32"
        hint="Your carrier's signalling addresses or networks (CIDR), separated by commas. Empty: this machine only. The SIP trunk's address is always allowed."
        error={sourceError}
      />
      <TextField
        label="Calls at once"
        type="number"
        min={0}
        step="1"
        value={v.maxCalls}
        onChange={(maxCalls) => setV({ ...v, maxCalls })}
        hint="Calls in progress, both directions, beyond which inbound calls are refused; 0 for no cap."
        error={st.fieldError("max_concurrent_calls")}
      />
    </Section>
  );
}

function sub(orig: unknown, values: Record<string, string>): Record<string, unknown> | undefined {
  const o = obj(orig);
  const filled = Object.values(values).some((x) => x !== "" && x !== MASK);
  if (!filled && Object.keys(o).length === 0) return undefined;
  return { ...o, ...values };
}

function Speech({ s, onSaved }: { s: Settings; onSaved: Saved }) {
  const init = (x: Settings) => {
    const p = obj(x.speech_providers);
    const [oa, dg, el] = [obj(p.openai), obj(p.deepgram), obj(p.elevenlabs)];
    return {
      stt: str(p.stt, "pocketsphinx"),
      oaBase: str(oa.baseUrl),
      oaKey: secret(oa.apiKey),
      oaModel: str(oa.model),
      dgKey: secret(dg.apiKey),
      dgModel: str(dg.model),
      elKey: secret(el.apiKey),
      elModel: str(el.modelId),
    };
  };
  const [v, setV] = useState(() => init(s));
  const k = (f: string) => `speech_providers.${f}`;
  const st = useSave(["stt", "openai.baseUrl", "openai.apiKey", "openai.model", "deepgram.apiKey", "deepgram.model", "elevenlabs.apiKey", "elevenlabs.modelId"].map(k), onSaved);
  const p = obj(s.speech_providers);
  const setKey = (f: "oaKey" | "dgKey" | "elKey") => (x: Secret) => setV({ ...v, [f]: x });
  return (
    <Section
      id="settings-speech"
      title="Speech providers"
      description="Speech to text for every call; each agent's voice provider picks its text to speech (ElevenLabs needs its key here)."
      state={st}
      onSubmit={() => {
        const body: Record<string, unknown> = { ...p, stt: v.stt };
        const parts = {
          openai: sub(p.openai, { baseUrl: v.oaBase.trim(), apiKey: secretOut(v.oaKey), model: v.oaModel.trim() }),
          deepgram: sub(p.deepgram, { apiKey: secretOut(v.dgKey), model: v.dgModel.trim() }),
          elevenlabs: sub(p.elevenlabs, { apiKey: secretOut(v.elKey), modelId: v.elModel.trim() }),
        };
        for (const [name, val] of Object.entries(parts)) if (val) body[name] = val;
        void st.save({ speech_providers: body }, { [k("openai.baseUrl")]: checkUrl(v.oaBase) }).then((r) => r && setV(init(r)));
      }}
    >
      <Field label="Speech to text" error={st.fieldError(k("stt"))}>
        {(id, d) => (
          <select id={id} aria-describedby={d} value={v.stt} onChange={(e) => setV({ ...v, stt: e.target.value })}>
            <option value="pocketsphinx">PocketSphinx (local)</option>
            <option value="openai">OpenAI-compatible (Whisper)</option>
            <option value="deepgram">Deepgram</option>
          </select>
        )}
      </Field>
      <div className="grid three hist-providers">
        <fieldset className="hist-fieldset">
          <legend>
            OpenAI-compatible {v.stt === "openai" && <Badge tone="info">in use</Badge>}
          </legend>
          <TextField label="OpenAI base URL" value={v.oaBase} onChange={(oaBase) => setV({ ...v, oaBase })} placeholder="https://api.openai.com/v1" error={st.fieldError(k("openai.baseUrl"))} />
          <SecretField label="OpenAI API key" value={v.oaKey} onChange={setKey("oaKey")} error={st.fieldError(k("openai.apiKey"))} />
          <TextField label="OpenAI model" value={v.oaModel} onChange={(oaModel) => setV({ ...v, oaModel })} placeholder="whisper-1" error={st.fieldError(k("openai.model"))} />
        </fieldset>
        <fieldset className="hist-fieldset">
          <legend>Deepgram {v.stt === "deepgram" && <Badge tone="info">in use</Badge>}</legend>
          <SecretField label="Deepgram API key" value={v.dgKey} onChange={setKey("dgKey")} error={st.fieldError(k("deepgram.apiKey"))} />
          <TextField label="Deepgram model" value={v.dgModel} onChange={(dgModel) => setV({ ...v, dgModel })} placeholder="nova-2" error={st.fieldError(k("deepgram.model"))} />
        </fieldset>
        <fieldset className="hist-fieldset">
          <legend>ElevenLabs (voices)</legend>
          <SecretField label="ElevenLabs API key" value={v.elKey} onChange={setKey("elKey")} error={st.fieldError(k("elevenlabs.apiKey"))} />
          <TextField label="ElevenLabs model ID" value={v.elModel} onChange={(elModel) => setV({ ...v, elModel })} placeholder="eleven_flash_v2_5" error={st.fieldError(k("elevenlabs.modelId"))} />
        </fieldset>
      </div>
    </Section>
  );
}

function Llm({ s, onSaved }: { s: Settings; onSaved: Saved }) {
  const init = (x: Settings) => {
    const l = obj(x.llm);
    return { baseUrl: str(l.baseUrl), apiKey: secret(l.apiKey), model: str(l.model) };
  };
  const [v, setV] = useState(() => init(s));
  const st = useSave(["llm.baseUrl", "llm.apiKey", "llm.model"], onSaved);
  return (
    <Section
      id="settings-llm"
      title="Language model"
      description="An OpenAI-compatible chat API for the agents' brain. Leave the base URL empty for the built-in scripted call flow."
      state={st}
      onSubmit={() =>
        void st
          .save(
            { llm: { ...obj(s.llm), baseUrl: v.baseUrl.trim(), apiKey: secretOut(v.apiKey), model: v.model.trim() } },
            { "llm.baseUrl": checkUrl(v.baseUrl), "llm.model": v.baseUrl.trim() ? required(v.model, "required with a base URL") : undefined },
          )
          .then((r) => r && setV(init(r)))
      }
    >
      <div className="grid three">
        <TextField label="LLM base URL" value={v.baseUrl} onChange={(baseUrl) => setV({ ...v, baseUrl })} placeholder="https://api.openai.com/v1" error={st.fieldError("llm.baseUrl")} />
        <SecretField label="LLM API key" value={v.apiKey} onChange={(apiKey) => setV({ ...v, apiKey })} error={st.fieldError("llm.apiKey")} />
        <TextField label="LLM model" value={v.model} onChange={(model) => setV({ ...v, model })} placeholder="gpt-4o-mini" error={st.fieldError("llm.model")} />
      </div>
    </Section>
  );
}

function SmsProvider({ s, onSaved }: { s: Settings; onSaved: Saved }) {
  const init = (x: Settings) => {
    const p = obj(x.sms_provider);
    const t = obj(p.twilio);
    return { provider: str(p.provider, "outbox"), sid: str(t.accountSid), token: secret(t.authToken), from: str(t.from), baseUrl: str(t.baseUrl) };
  };
  const [v, setV] = useState(() => init(s));
  const k = (f: string) => `sms_provider.${f}`;
  const st = useSave(["provider", "twilio.accountSid", "twilio.authToken", "twilio.from", "twilio.baseUrl"].map(k), onSaved);
  const p = obj(s.sms_provider);
  return (
    <Section
      id="settings-smsprov"
      title="SMS provider"
      description="Outbox keeps messages in voqo only (for testing); Twilio sends them."
      state={st}
      onSubmit={() => {
        const body: Record<string, unknown> = { ...p, provider: v.provider };
        const tw = sub(p.twilio, { accountSid: v.sid.trim(), authToken: secretOut(v.token), from: v.from.trim(), ...(v.baseUrl.trim() ? { baseUrl: v.baseUrl.trim() } : {}) });
        if (tw) body.twilio = tw;
        const twilio = v.provider === "twilio";
        void st
          .save(
            { sms_provider: body },
            {
              [k("twilio.accountSid")]: twilio ? required(v.sid, "required for Twilio") : undefined,
              [k("twilio.authToken")]: twilio && secretOut(v.token) === "" ? "required for Twilio" : undefined,
              [k("twilio.from")]: twilio ? required(v.from, "required for Twilio") : undefined,
              [k("twilio.baseUrl")]: checkUrl(v.baseUrl),
            },
          )
          .then((r) => r && setV(init(r)));
      }}
    >
      <Field label="Send SMS with" error={st.fieldError(k("provider"))}>
        {(id, d) => (
          <select id={id} aria-describedby={d} value={v.provider} onChange={(e) => setV({ ...v, provider: e.target.value })}>
            <option value="outbox">Outbox (no sending)</option>
            <option value="twilio">Twilio</option>
          </select>
        )}
      </Field>
      {v.provider === "twilio" && (
        <div className="grid two">
          <TextField label="Twilio account SID" value={v.sid} onChange={(sid) => setV({ ...v, sid })} placeholder="AC…" error={st.fieldError(k("twilio.accountSid"))} />
          <SecretField label="Twilio auth token" value={v.token} onChange={(token) => setV({ ...v, token })} error={st.fieldError(k("twilio.authToken"))} />
          <TextField label="Send from" value={v.from} onChange={(from) => setV({ ...v, from })} placeholder="+14155550000" error={st.fieldError(k("twilio.from"))} />
          <TextField
            label="Twilio API base URL"
            value={v.baseUrl}
            onChange={(baseUrl) => setV({ ...v, baseUrl })}
            placeholder="https://api.twilio.com"
            hint="Optional; for a proxy or a test double."
            error={st.fieldError(k("twilio.baseUrl"))}
          />
        </div>
      )}
    </Section>
  );
}

const PRICE_PARTS = [
  ["sip", "SIP / carrier"],
  ["stt", "Speech to text"],
  ["llm", "Language model"],
  ["tts", "Text to speech"],
] as const;

function Prices({ s, onSaved }: { s: Settings; onSaved: Saved }) {
  const init = (x: Settings) => {
    const p = obj(x.call_prices);
    return { currency: str(p.currency, "USD"), ...Object.fromEntries(PRICE_PARTS.map(([key]) => [key, str(p[key], "0")])) } as Record<string, string>;
  };
  const [v, setV] = useState(() => init(s));
  const st = useSave(["call_prices.currency", ...PRICE_PARTS.map(([key]) => `call_prices.${key}`)], onSaved);
  const num = (x: string) => (x.trim() !== "" && Number.isFinite(Number(x)) ? Number(x) : x);
  const checkPrice = (x: string) => (typeof num(x) === "number" && Number(x) >= 0 ? undefined : "must be a number, 0 or more");
  return (
    <Section
      id="settings-prices"
      title="Call prices"
      description="Price per call minute of each component, for the live cost figures."
      state={st}
      onSubmit={() =>
        void st
          .save(
            {
              call_prices: {
                ...obj(s.call_prices),
                currency: v.currency.trim().toUpperCase(),
                ...Object.fromEntries(PRICE_PARTS.map(([key]) => [key, num(v[key])])),
              },
            },
            {
              "call_prices.currency": /^[A-Za-z]{3}$/.test(v.currency.trim()) ? undefined : "must be a 3-letter currency code (ISO 4217)",
              ...Object.fromEntries(PRICE_PARTS.map(([key]) => [`call_prices.${key}`, checkPrice(v[key])])),
            },
          )
          .then((r) => r && setV(init(r)))
      }
    >
      <div className="hist-prices">
        <TextField label="Currency" value={v.currency} onChange={(currency) => setV({ ...v, currency })} maxLength={3} placeholder="USD" error={st.fieldError("call_prices.currency")} />
        {PRICE_PARTS.map(([key, label]) => (
          <TextField
            key={key}
            label={`${label} per minute`}
            type="number"
            min={0}
            step="0.0001"
            value={v[key]}
            onChange={(x) => setV({ ...v, [key]: x })}
            error={st.fieldError(`call_prices.${key}`)}
          />
        ))}
      </div>
    </Section>
  );
}

function Webhooks({ s, onSaved }: { s: Settings; onSaved: Saved }) {
  const [v, setV] = useState(() => secret(s.webhook_secret));
  const st = useSave(["webhook_secret"], onSaved);
  return (
    <Section
      id="settings-webhooks"
      title="Webhooks"
      description="Webhook deliveries are signed with HMAC-SHA256 (X-Voqo-Signature) using this secret; cleared, a new one is generated on first use."
      state={st}
      onSubmit={() => void st.save({ webhook_secret: secretOut(v) }).then((r) => r && setV(secret(r.webhook_secret)))}
    >
      <SecretField label="Webhook signing secret" value={v} onChange={setV} error={st.fieldError("webhook_secret")} />
    </Section>
  );
}
