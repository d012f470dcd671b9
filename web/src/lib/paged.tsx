// A list endpoint read page by page: the first page whenever the path (or
// the refresh counter) changes, then "Load more" follows nextCursor (the
// API's `{items, nextCursor}`). Answers for an older path are dropped.
import { type ReactNode, useCallback, useEffect, useRef, useState } from "react";
import { ApiError, get, type Page } from "./api";
import { ErrorBanner, Loading } from "./ui";

export interface Paged<T> {
  items: T[];
  nextCursor: string | null;
  /** The first page of the current path is on its way. */
  loading: boolean;
  loadingMore: boolean;
  error: ApiError | null;
  /** A first page has arrived at least once. */
  loaded: boolean;
  /** When the first page last arrived. */
  updatedAt: Date | null;
  /** Retries whatever failed last (the first page or the next one). */
  retry: () => void;
  loadMore: () => void;
  /** Re-reads from the first page. */
  reload: () => void;
  /** Drops items locally (after a delete) without a reload. */
  drop: (keep: (item: T) => boolean) => void;
}

const asApiError = (e: unknown) => (e instanceof ApiError ? e : new ApiError(0, "Error", String(e), []));

/** Reads `path` (which may carry a query string) page by page; `null` reads nothing. */
export function usePaged<T>(path: string | null, refresh = 0): Paged<T> {
  const [items, setItems] = useState<T[]>([]);
  const [nextCursor, setNext] = useState<string | null>(null);
  const [loading, setLoading] = useState(path !== null);
  const [loadingMore, setLoadingMore] = useState(false);
  const [loaded, setLoaded] = useState(false);
  const [updatedAt, setUpdatedAt] = useState<Date | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const [failedMore, setFailedMore] = useState(false);
  const [tick, setTick] = useState(0);
  const generation = useRef(0);

  useEffect(() => {
    if (path === null) return;
    const gen = ++generation.current;
    setLoading(true);
    setLoadingMore(false);
    get<Page<T>>(path).then(
      (p) => {
        if (gen !== generation.current) return;
        setItems(p.items);
        setNext(p.nextCursor);
        setError(null);
        setLoading(false);
        setLoaded(true);
        setUpdatedAt(new Date());
      },
      (e: unknown) => {
        if (gen !== generation.current) return;
        setItems([]);
        setNext(null);
        setError(asApiError(e));
        setFailedMore(false);
        setLoading(false);
      },
    );
  }, [path, refresh, tick]);

  const loadMore = useCallback(() => {
    if (!path || !nextCursor) return;
    const gen = generation.current;
    setLoadingMore(true);
    get<Page<T>>(path + (path.includes("?") ? "&" : "?") + "cursor=" + encodeURIComponent(nextCursor)).then(
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
  const drop = useCallback((keep: (item: T) => boolean) => setItems((old) => old.filter(keep)), []);
  const retry = failedMore ? loadMore : reload;
  return { items, nextCursor, loading, loadingMore, error, loaded, updatedAt, retry, loadMore, reload, drop };
}

function LoadMore<T>({ list }: { list: Paged<T> }) {
  if (!list.nextCursor || list.loading) return null;
  return (
    <div className="paged-more">
      <button type="button" className="btn" onClick={list.loadMore} disabled={list.loadingMore}>
        {list.loadingMore ? "Loading…" : "Load more"}
      </button>
    </div>
  );
}

/** The loading / error / "Load more" pieces below a paged list that renders its own empty state. */
export function PagedFooter<T>({ list, what }: { list: Paged<T>; what: string }) {
  return (
    <>
      <ErrorBanner error={list.error} onRetry={list.retry} />
      {list.loading && !list.loaded && <Loading what={`Loading ${what}`} />}
      <LoadMore list={list} />
    </>
  );
}

/** The states around a paged table: a spinner for the first page, the error with a retry, the empty message, "Load more". */
export function PagedFrame<T>({ list, what, empty, hideError, children }: {
  list: Paged<T>;
  what: string;
  empty: ReactNode;
  /** The error is shown elsewhere (beside a filter field). */
  hideError?: boolean;
  children: ReactNode;
}) {
  return (
    <>
      {!hideError && <ErrorBanner error={list.error} onRetry={list.retry} />}
      {list.loading && list.items.length === 0 ? (
        <Loading what={`Loading ${what}`} />
      ) : list.items.length === 0 ? (
        !list.error && <p className="empty">{empty}</p>
      ) : (
        children
      )}
      <LoadMore list={list} />
    </>
  );
}
