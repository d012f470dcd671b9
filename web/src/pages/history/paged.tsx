// A list endpoint read page by page ("Load more" follows nextCursor), and
// the small pieces the history screens share.
import { useCallback, useEffect, useRef, useState } from "react";
import { ApiError, get, type Page } from "../../lib/api";
import { ErrorBanner, Loading } from "../../lib/ui";

export interface Paged<T> {
  items: T[];
  nextCursor: string | null;
  loading: boolean;
  loadingMore: boolean;
  error: ApiError | null;
  loaded: boolean;
  /** Retries whatever failed last (the first page or the next one). */
  retry: () => void;
  loadMore: () => void;
  reload: () => void;
}

function asApiError(e: unknown): ApiError {
  return e instanceof ApiError ? e : new ApiError(0, "Error", String(e), []);
}

/** Reads `path` (which may carry a query string) from its first page; `path === null` reads nothing. */
export function usePaged<T>(path: string | null): Paged<T> {
  const [items, setItems] = useState<T[]>([]);
  const [nextCursor, setNext] = useState<string | null>(null);
  const [loading, setLoading] = useState(path !== null);
  const [loadingMore, setLoadingMore] = useState(false);
  const [loaded, setLoaded] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);
  const [failedMore, setFailedMore] = useState(false);
  const [tick, setTick] = useState(0);
  const generation = useRef(0);

  useEffect(() => {
    if (path === null) return;
    const gen = ++generation.current;
    setLoading(true);
    get<Page<T>>(path).then(
      (p) => {
        if (gen !== generation.current) return;
        setItems(p.items);
        setNext(p.nextCursor);
        setError(null);
        setLoading(false);
        setLoaded(true);
      },
      (e: unknown) => {
        if (gen !== generation.current) return;
        setError(asApiError(e));
        setFailedMore(false);
        setLoading(false);
      },
    );
  }, [path, tick]);

  const loadMore = useCallback(() => {
    if (!path || !nextCursor) return;
    const gen = generation.current;
    setLoadingMore(true);
    const url = path + (path.includes("?") ? "&" : "?") + "cursor=" + encodeURIComponent(nextCursor);
    get<Page<T>>(url).then(
      (p) => {
        if (gen !== generation.current) return;
        setItems((old) => [...old, ...p.items]);
        setNext(p.nextCursor);
        setError(null);
        setLoadingMore(false);
      },
      (e: unknown) => {
        if (gen !== generation.current) return;
        setError(asApiError(e));
        setFailedMore(true);
        setLoadingMore(false);
      },
    );
  }, [path, nextCursor]);

  const reload = useCallback(() => setTick((t) => t + 1), []);
  const retry = failedMore ? loadMore : reload;
  return { items, nextCursor, loading, loadingMore, error, loaded, retry, loadMore, reload };
}

/** The loading / error / "Load more" frame around a paged list. */
export function PagedFooter<T>({ list, what }: { list: Paged<T>; what: string }) {
  return (
    <>
      <ErrorBanner error={list.error} onRetry={list.retry} />
      {list.loading && !list.loaded && <Loading what={`Loading ${what}`} />}
      {list.nextCursor && (
        <div className="hist-more">
          <button type="button" className="btn" onClick={list.loadMore} disabled={list.loadingMore}>
            {list.loadingMore ? "Loading…" : "Load more"}
          </button>
        </div>
      )}
    </>
  );
}

/** The error to show as a banner: one that names none of the fields a form shows beside its controls. */
export function unmatchedError(error: ApiError | null, shown: string[]): ApiError | null {
  if (!error) return null;
  return Object.keys(error.fields).some((f) => shown.includes(f)) ? null : error;
}
