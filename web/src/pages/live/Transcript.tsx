// The live transcript: interim lines greyed and italic, final lines solid and
// coloured by their sentiment. Follows the newest line until the user scrolls
// up; a button brings them back. Screen readers hear each final line once
// (a separate polite live region), not every interim revision.
import { useEffect, useLayoutEffect, useRef, useState } from "react";
import { SPEAKER_LABEL, type TranscriptLine } from "./types";

export function Transcript({ lines, ended }: { lines: TranscriptLine[]; ended: boolean }) {
  const box = useRef<HTMLOListElement>(null);
  const [follow, setFollow] = useState(true);
  const [unseen, setUnseen] = useState(false);
  const lastFinal = [...lines].reverse().find((l) => l.isFinal);

  // Content changed: keep the bottom in view while following.
  const last = lines[lines.length - 1];
  const signature = `${lines.length}:${last?.entryId}:${last?.text.length}:${last?.isFinal}`;
  useLayoutEffect(() => {
    const el = box.current;
    if (!el) return;
    if (follow) el.scrollTop = el.scrollHeight;
    else setUnseen(true);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [signature]);

  useEffect(() => {
    if (follow) setUnseen(false);
  }, [follow]);

  const onScroll = () => {
    const el = box.current;
    if (!el) return;
    const atBottom = el.scrollHeight - el.scrollTop - el.clientHeight < 24;
    if (atBottom !== follow) setFollow(atBottom);
  };

  const jump = () => {
    const el = box.current;
    if (el) el.scrollTop = el.scrollHeight;
    setFollow(true);
  };

  return (
    <div className="live-transcript-wrap">
      {lines.length === 0 ? (
        <p className="empty">{ended ? "Nothing was said on this call." : "Waiting for the first words…"}</p>
      ) : (
        <ol className="live-transcript" ref={box} onScroll={onScroll} aria-label="Live transcript" tabIndex={0}>
          {lines.map((l) => (
            <li
              key={l.entryId}
              className={`live-line ${l.speaker} ${l.isFinal ? "final" : "interim"} sentiment-${l.isFinal ? (l.sentiment ?? "neutral") : "none"}`}
              data-final={l.isFinal ? "true" : "false"}
              data-sentiment={l.sentiment ?? ""}
            >
              <span className="live-line-meta">
                <span className="live-speaker">{SPEAKER_LABEL[l.speaker] ?? l.speaker}</span>
                <time className="live-ts">{l.timestamp}</time>
                {!l.isFinal && <span className="live-sr-only">(still speaking)</span>}
                {l.isFinal && l.sentiment && l.sentiment !== "neutral" && (
                  <span className={`live-line-sent ${l.sentiment}`}>{l.sentiment}</span>
                )}
                {l.interrupted && <span className="live-line-sent interrupted">interrupted</span>}
              </span>
              <span className="live-line-text">{l.text || <span className="muted">(no words)</span>}</span>
            </li>
          ))}
        </ol>
      )}
      {!follow && unseen && (
        <button type="button" className="btn small live-jump" onClick={jump}>
          New lines below — jump to latest
        </button>
      )}
      <div className="live-sr-only" aria-live="polite" aria-atomic="true">
        {lastFinal ? `${SPEAKER_LABEL[lastFinal.speaker]}: ${lastFinal.text}` : ""}
      </div>
    </div>
  );
}
