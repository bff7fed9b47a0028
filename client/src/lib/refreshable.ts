import { batch, createEffect, createMemo, createSignal, on, onCleanup, untrack, type Accessor } from 'solid-js';
import { reconnects } from './reconnects.ts';

export interface Refreshable<T> {
  /** The last value that loaded for the current key; kept while a refresh runs or fails. */
  value: Accessor<T | undefined>;
  /** The last failure, cleared by the next success. */
  error: Accessor<unknown>;
  loading: Accessor<boolean>;
  refresh: () => void;
}

/**
 * Loads `fetcher(key)` whenever `key` changes (nothing while it is null). Unlike createResource it never
 * throws on read and keeps the last good value when a refresh fails, which is what an offline-first UI
 * wants: a stale room list with a note beats an error page. Answers of superseded loads are dropped.
 */
export function createRefreshable<K, T>(
  key: Accessor<K | null | undefined>,
  fetcher: (key: K) => Promise<T>,
): Refreshable<T> {
  const [value, setValue] = createSignal<T | undefined>(undefined);
  const [error, setError] = createSignal<unknown>(undefined);
  const [loading, setLoading] = createSignal(false);
  let generation = 0;
  const currentKey = createMemo(key);

  const load = (k: K): void => {
    const mine = ++generation;
    setLoading(true);
    fetcher(k).then(
      (v) => {
        if (mine !== generation) return;
        batch(() => {
          setValue(() => v);
          setError(undefined);
          setLoading(false);
        });
      },
      (err: unknown) => {
        if (mine !== generation) return;
        batch(() => {
          setError(() => err);
          setLoading(false);
        });
      },
    );
  };

  createEffect(
    on(currentKey, (k) => {
      // A new key (another member signed in) must never show the previous key's data.
      batch(() => {
        setValue(undefined);
        setError(undefined);
      });
      if (k === null || k === undefined) {
        generation++;
        setLoading(false);
        return;
      }
      load(k);
    }),
  );

  const refresh = () => {
    const k = untrack(currentKey);
    if (k !== null && k !== undefined) load(k);
  };

  // What failed while Lounge could not be reached loads again once it can: a page opened offline does not
  // keep saying "Can't reach Lounge" beside a green "Online". At a random point of a short spread, so a
  // restarted server is not asked by every member in the same instant.
  let retry: ReturnType<typeof setTimeout> | undefined;
  createEffect(
    on(
      reconnects,
      () => {
        if (untrack(error) === undefined) return;
        clearTimeout(retry);
        retry = setTimeout(refresh, Math.random() * RECONNECT_RETRY_SPREAD_MS);
      },
      { defer: true },
    ),
  );
  onCleanup(() => clearTimeout(retry));

  return { value, error, loading, refresh };
}

const RECONNECT_RETRY_SPREAD_MS = 1_500;
