// A list endpoint read page by page: the first page whenever the path (or
// the refresh tick) changes, then "Load more" follows nextCursor. Stale
// answers (an older path's) are dropped.
import { useCallback, useEffect, useRef, useState } from "react";
import { ApiError, get, type Page } from "../../lib/api";
import { ErrorBanner, Loading } from "../../lib/ui";

export interface PagedList<T> {
  items: T[];
  nextCursor: string | null;
  /** True until the first page of the current path has arrived (or failed). */
  loading: boolean;
  loadingMore: boolean;
  error: ApiError | null;
  loadMore: () => void;
  /** Re-reads from the first page; also what a failed first page's Retry does. */
  reload: () => void;
  /** Drops items locally (after a delete) without a reload. */
  drop: (keep: (item: T) => boolean) => void;
  /** When the first page last arrived. */
  updatedAt: Date | null;
}

const asApiError = (e: unknown) => (e instanceof ApiError ? e : new ApiError(0, "Error", String(e), []));

export function usePaged<T>(path: string, refresh = 0): PagedList<T> {
  const [items, setItems] = useState<T[]>([]);
  const [nextCursor, setNextCursor] = useState<string | null>(null);
  const [loading, setLoading] = useState(true);
  const [loadingMore, setLoadingMore] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);
  const [updatedAt, setUpdatedAt] = useState<Date | null>(null);
  const [tick, setTick] = useState(0);
  const generation = useRef(0);

  useEffect(() => {
    const gen = ++generation.current;
    setLoading(true);
    setLoadingMore(false);
    get<Page<T>>(path).then(
      (p) => {
        if (gen !== generation.current) return;
        setItems(p.items);
        setNextCursor(p.nextCursor);
        setError(null);
        setLoading(false);
        setUpdatedAt(new Date());
      },
      (e: unknown) => {
        if (gen !== generation.current) return;
        setItems([]);
        setNextCursor(null);
        setError(asApiError(e));
        setLoading(false);
      },
    );
  }, [path, refresh, tick]);

  const loadMore = useCallback(() => {
    if (!nextCursor) return;
    const gen = generation.current;
    setLoadingMore(true);
    get<Page<T>>(path + (path.includes("?") ? "&" : "?") + "cursor=" + encodeURIComponent(nextCursor)).then(
      (p) => {
        if (gen !== generation.current) return;
        setItems((old) => [...old, ...p.items]);
        setNextCursor(p.nextCursor);
        setError(null);
        setLoadingMore(false);
      },
      (e: unknown) => {
        if (gen !== generation.current) return;
        setError(asApiError(e));
        setLoadingMore(false);
      },
    );
  }, [path, nextCursor]);

  const reload = useCallback(() => setTick((t) => t + 1), []);
  const drop = useCallback((keep: (item: T) => boolean) => setItems((old) => old.filter(keep)), []);
  return { items, nextCursor, loading, loadingMore, error, loadMore, reload, drop, updatedAt };
}

/**
 * The states around a paged table: a spinner for the first page, the error
 * with a retry (a failed "Load more" retries itself, anything else reloads),
 * the empty message, and the "Load more" button.
 */
export function PagedFrame<T>({ list, what, empty, hideError, children }: {
  list: PagedList<T>;
  what: string;
  empty: React.ReactNode;
  /** The error is shown elsewhere (beside a filter field). */
  hideError?: boolean;
  children: React.ReactNode;
}) {
  const failedMore = !!list.error && list.items.length > 0;
  return (
    <>
      {!hideError && <ErrorBanner error={list.error} onRetry={failedMore ? list.loadMore : list.reload} />}
      {list.loading && list.items.length === 0 ? (
        <Loading what={`Loading ${what}`} />
      ) : list.items.length === 0 ? (
        !list.error && <p className="empty">{empty}</p>
      ) : (
        children
      )}
      {list.nextCursor && !list.loading && (
        <div className="compliance-more">
          <button type="button" className="btn" onClick={list.loadMore} disabled={list.loadingMore}>
            {list.loadingMore ? "Loading…" : "Load more"}
          </button>
        </div>
      )}
    </>
  );
}
