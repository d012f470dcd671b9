// The follow-up SMS as the server renders it (postcall/sms.cpp
// render_sms_template) and how many SMS segments it takes.

export const SMS_VARIABLES = ["caller_name", "call_summary", "agent_name"] as const;
export type SmsVariables = Record<(typeof SMS_VARIABLES)[number], string>;

export const SAMPLE_VALUES: SmsVariables = {
  caller_name: "Jordan Lee",
  call_summary: "You asked about our pricing and booked a demo for Tuesday at 10 AM",
  agent_name: "Ava",
};

const MAX_CHARS = 1600;

/** One pass over the template: known {variables} replaced, unknown ones kept; cut to 1600 code points with "…". */
export function renderSms(template: string, values: SmsVariables): string {
  const out = template.replace(/\{(caller_name|call_summary|agent_name)\}/g, (_, name: keyof SmsVariables) => values[name]);
  const points = Array.from(out);
  return points.length > MAX_CHARS ? points.slice(0, MAX_CHARS - 1).join("") + "\u2026" : out;
}

/** {names} in the template that the server does not fill (sent as written). */
export function unknownVariables(template: string): string[] {
  const found = new Set<string>();
  for (const m of template.matchAll(/\{([A-Za-z0-9_]+)\}/g)) if (!(SMS_VARIABLES as readonly string[]).includes(m[1])) found.add(m[0]);
  return [...found];
}

// GSM 03.38: the default alphabet (one septet each) and its extension table (two: escape + char).
const GSM_BASIC =
  "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà";
const GSM_EXTENDED = "^{}\\[~]|€\f";

export interface SmsCount {
  /** Characters as the user sees them (code points). */
  chars: number;
  encoding: "GSM-7" | "UCS-2";
  /** Septets (GSM-7) or UTF-16 code units (UCS-2). */
  units: number;
  segments: number;
  /** Units per segment for this length: 160/153 (GSM-7), 70/67 (UCS-2). */
  perSegment: number;
}

export function countSms(text: string): SmsCount {
  const chars = Array.from(text).length;
  let septets = 0;
  let gsm = true;
  for (const ch of text) {
    if (GSM_BASIC.includes(ch)) septets += 1;
    else if (GSM_EXTENDED.includes(ch)) septets += 2;
    else {
      gsm = false;
      break;
    }
  }
  const [units, single, multi] = gsm ? [septets, 160, 153] : [text.length, 70, 67];
  const segments = units === 0 ? 0 : units <= single ? 1 : Math.ceil(units / multi);
  return { chars, encoding: gsm ? "GSM-7" : "UCS-2", units, segments, perSegment: segments > 1 ? multi : single };
}
