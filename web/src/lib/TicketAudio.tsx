// An <audio> element for a route that needs a credential the element cannot
// send (a call's recording): its src carries a ticket (POST /api/tickets, valid
// 60 s for exactly that path). The ticket is fetched when the player is shown;
// playing or seeking after it has expired (the element re-requests ranges)
// fetches a new one and resumes where the listener was.
import { type AudioHTMLAttributes, type Ref, useCallback, useEffect, useRef, useState } from "react";
import { withTicket, type TicketResource } from "./api";

/** A ticket lives 60 s; renew it a little before. */
const RENEW_AFTER_MS = 50_000;

interface Props extends Omit<AudioHTMLAttributes<HTMLAudioElement>, "src"> {
  resource: TicketResource;
  ref?: Ref<HTMLAudioElement>;
}

export function TicketAudio({ resource, ref, onError, onPlay, ...rest }: Props) {
  const [src, setSrc] = useState<string | undefined>(undefined);
  const [failed, setFailed] = useState<string | null>(null);
  const issuedAt = useRef(0);
  const element = useRef<HTMLAudioElement | null>(null);
  const renewing = useRef(false);

  const renew = useCallback(
    async (resume: boolean) => {
      if (renewing.current) return;
      renewing.current = true;
      const a = element.current;
      const at = a?.currentTime ?? 0;
      try {
        const url = await withTicket(resource);
        issuedAt.current = Date.now();
        setFailed(null);
        setSrc(url);
        if (a && (resume || at > 0)) {
          // The new src reloads the element: go back to where it was.
          a.addEventListener(
            "loadedmetadata",
            () => {
              a.currentTime = at;
              if (resume) void a.play().catch(() => undefined);
            },
            { once: true },
          );
        }
      } catch (e) {
        setFailed((e as Error).message);
      } finally {
        renewing.current = false;
      }
    },
    [resource],
  );

  useEffect(() => {
    void renew(false);
  }, [renew]);

  const setRef = (el: HTMLAudioElement | null) => {
    element.current = el;
    if (typeof ref === "function") ref(el);
    else if (ref) (ref as { current: HTMLAudioElement | null }).current = el;
  };

  return (
    <>
      <audio
        {...rest}
        ref={setRef}
        src={src}
        onPlay={(e) => {
          if (Date.now() - issuedAt.current > RENEW_AFTER_MS) void renew(true);
          onPlay?.(e);
        }}
        onError={(e) => {
          // An expired ticket (a seek after a minute): one renewal per ticket lifetime.
          if (src && Date.now() - issuedAt.current > RENEW_AFTER_MS / 10) void renew(!e.currentTarget.paused);
          onError?.(e);
        }}
      />
      {failed && (
        <p className="field-error" role="alert">
          Cannot play the recording: {failed}
        </p>
      )}
    </>
  );
}
