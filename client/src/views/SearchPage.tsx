import { createSignal, For, onMount, Show, type JSX } from 'solid-js';
import { fetchAround, searchMessages, type HistoryMessage, type SearchHit } from '../api/community.ts';
import { isApiError } from '../api/http.ts';
import { cachedCircles, fetchCircles, rememberCircles } from '../api/circles.ts';
import { cachedLounge, fetchLounge, rememberLounge } from '../api/lounge.ts';
import type { User } from '../api/types.ts';
import { FileIcon, SearchIcon } from '../components/icons.tsx';
import { Link } from '../components/Link.tsx';
import { useDocumentTitle } from '../lib/document-title.ts';
import { useReplica } from '../replica/context.ts';
import { searchLocal } from '../replica/local-search.ts';
import { placeOfMessage } from '../lib/message-place.ts';
import { paths } from '../router.ts';
import { setSwitcherOpen } from '../lib/quick-switcher-state.ts';
import { markdownToPlainText } from '../../../shared/markdown/message-markdown.ts';
import { RefusalAlert } from '../components/RefusalAlert.tsx';

const timeFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });

/** Highlighted words as text spans (the server sends plain text and offsets, never HTML). */
function Fragment(props: { text: string; highlights: Array<{ start: number; end: number }> }): JSX.Element {
  const parts = () => {
    const out: Array<{ text: string; mark: boolean }> = [];
    let at = 0;
    for (const h of [...props.highlights].sort((a, b) => a.start - b.start)) {
      if (h.start < at) continue;
      if (h.start > at) out.push({ text: props.text.slice(at, h.start), mark: false });
      out.push({ text: props.text.slice(h.start, h.end), mark: true });
      at = h.end;
    }
    if (at < props.text.length) out.push({ text: props.text.slice(at), mark: false });
    return out;
  };
  return <For each={parts()}>{(p) => (p.mark ? <mark>{p.text}</mark> : <span>{p.text}</span>)}</For>;
}

/** Search: the server's full-text search while online; the messages on this device while offline. */
export function SearchPage(props: { token: string; user: User }): JSX.Element {
  useDocumentTitle(() => 'Search');
  const replica = useReplica();
  const initial = new URLSearchParams(window.location.search).get('q') ?? '';
  const [query, setQuery] = createSignal(initial);
  const [results, setResults] = createSignal<SearchHit[] | null>(null);
  const [source, setSource] = createSignal<'server' | 'device'>('server');
  const [error, setError] = createSignal<string | null>(null);
  const [busy, setBusy] = createSignal(false);
  /** The server's cursor to the next page of hits for the query on screen (null: no more, or offline). */
  const [next, setNext] = createSignal<{ q: string; cursor: string } | null>(null);
  // Where each hit was written, by name: from the rooms and circles this device keeps, read only when the
  // page is opened straight from an address before anything listed them on this device.
  const [lounge, setLounge] = createSignal(cachedLounge(props.user.id));
  const [circleList, setCircleList] = createSignal(cachedCircles(props.user.id));
  onMount(() => {
    if (lounge() && circleList()) return;
    fetchLounge(props.token).then(
      (data) => {
        rememberLounge(props.user.id, data);
        setLounge(data);
      },
      () => undefined,
    );
    fetchCircles(props.token).then(
      (data) => {
        rememberCircles(props.user.id, data);
        setCircleList(data);
      },
      () => undefined,
    );
  });
  const rooms = () => new Map((lounge()?.rooms ?? []).map((r) => [r.id, r]));
  const circles = () => new Map((circleList()?.circles ?? []).map((c) => [c.id, c]));

  const run = async (event?: Event) => {
    event?.preventDefault();
    const q = query().trim();
    if (q === '') return;
    history.replaceState(null, '', `${paths.search}?q=${encodeURIComponent(q)}`);
    setBusy(true);
    setError(null);
    setNext(null);
    try {
      // The server's search needs only HTTP: it is tried unless the device knows it is offline (the sync
      // socket may still be connecting when the page opens with a query).
      if (replica.displayState() !== 'offline') {
        try {
          const { results, nextCursor } = await searchMessages(props.token, q);
          setSource('server');
          setResults(results);
          setNext(nextCursor ? { q, cursor: nextCursor } : null);
          return;
        } catch (err) {
          if (!isApiError(err) || err.status !== 0) throw err;
        }
      }
      setSource('device');
      setResults(await searchLocal(replica.sql, q, { blocked: replica.blockedMembers() }));
    } catch (err) {
      setError(isApiError(err) ? err.message : 'Search did not work. Please try again.');
    } finally {
      setBusy(false);
    }
  };
  if (initial) void run();

  const more = async () => {
    const from = next();
    if (!from || busy()) return;
    setBusy(true);
    setError(null);
    try {
      const page = await searchMessages(props.token, from.q, { cursor: from.cursor });
      // A newer search started meanwhile owns the list.
      if (next() !== from) return;
      const seen = new Set((results() ?? []).map((hit) => hit.messageId));
      setResults([...(results() ?? []), ...page.results.filter((hit) => !seen.has(hit.messageId))]);
      setNext(page.nextCursor ? { q: from.q, cursor: page.nextCursor } : null);
    } catch (err) {
      setError(isApiError(err) ? err.message : 'More results could not be loaded. Please try again.');
    } finally {
      setBusy(false);
    }
  };

  const whereOf = (hit: SearchHit) => {
    const place = placeOfMessage(hit, { dms: replica.dms(), rooms: rooms(), circles: circles() });
    if (place.kind === 'dm') return { label: 'Direct message', href: place.href };
    if (place.kind === 'thread') return { label: `Thread in ${place.name ?? ''}`, href: place.href };
    if (place.kind === 'room') return { label: place.name ?? '', href: place.href };
    return { label: 'A conversation', href: null };
  };

  // Opened from the header's search button: the cursor waits in the field, as in every search page.
  let searchInput: HTMLInputElement | undefined;
  onMount(() => searchInput?.focus());

  return (
    <main class="content-page" id="main" tabIndex={-1}>
      <div class="content-page__inner">
        <h1 class="content-page__title">
          <SearchIcon />
          Search messages
        </h1>
        <form class="search-form" role="search" onSubmit={(e) => void run(e)}>
          <label class="visually-hidden" for="search-input">
            Search messages
          </label>
          <input
            ref={(el) => (searchInput = el)}
            id="search-input"
            class="input"
            type="search"
            placeholder='Words, "a phrase", -exclude'
            value={query()}
            onInput={(e) => setQuery(e.currentTarget.value)}
          />
          <button type="submit" class="button button--primary" disabled={busy() || query().trim() === ''}>
            Search
          </button>
        </form>
        <p class="search-page__jump">
          Looking for a room, a circle or a person?{' '}
          <button type="button" class="link-button" onClick={() => setSwitcherOpen(true)}>
            Jump to it
          </button>{' '}
          <span class="search-page__keys">(Ctrl+K anywhere)</span>
        </p>
        <RefusalAlert message={error()} />
        <Show when={results()}>
          {(list) => (
            <>
              <p class="side-panel__note" role="status">
                {list().length === 0
                  ? 'No messages found'
                  : `${list().length} ${list().length === 1 ? 'message' : 'messages'} found`}
                {source() === 'device'
                  ? ' on this device (offline: only messages already synced here are searched).'
                  : next()
                    ? ' so far; there are more.'
                    : '.'}
              </p>
              <ul class="search-results" aria-label="Search results">
                <For each={list()}>{(hit) => <SearchResult hit={hit} where={whereOf(hit)} token={props.token} />}</For>
              </ul>
              <Show when={next()}>
                <div class="search-more">
                  <button
                    type="button"
                    class="button button--secondary"
                    onClick={() => void more()}
                    disabled={busy()}
                    aria-busy={busy()}
                  >
                    {busy() ? 'Loading more results…' : 'More results'}
                  </button>
                </div>
              </Show>
            </>
          )}
        </Show>
      </div>
    </main>
  );
}

function SearchResult(props: {
  hit: SearchHit;
  where: { label: string; href: string | null };
  token: string;
}): JSX.Element {
  const replica = useReplica();
  const [context, setContext] = createSignal<HistoryMessage[] | null>(null);
  const [error, setError] = createSignal<string | null>(null);
  const showContext = () => {
    fetchAround(props.token, props.hit.channelId, props.hit.messageId, 9).then(
      (page) => setContext(page.messages),
      (err: unknown) => setError(isApiError(err) ? err.message : 'The conversation could not be loaded.'),
    );
  };
  return (
    <li class="search-hit" data-message-id={props.hit.messageId}>
      <p class="search-hit__meta">
        {replica.members.nameOf(props.hit.authorId)} · {props.where.label} ·{' '}
        {timeFormat.format(new Date(props.hit.createdAt))}
      </p>
      <For each={props.hit.fragments}>
        {(f) => (
          <p class="search-hit__text">
            <Fragment text={f.text} highlights={f.highlights} />
          </p>
        )}
      </For>
      <Show when={props.hit.files.length > 0}>
        <ul class="search-hit__files" aria-label="Files">
          <For each={props.hit.files}>
            {(name) => (
              <li class="search-hit__file">
                <FileIcon />
                {name}
              </li>
            )}
          </For>
        </ul>
      </Show>
      <Show
        when={context()}
        fallback={
          <div class="msg-form__buttons search-hit__jump">
            <button type="button" class="button button--secondary button--small" onClick={showContext}>
              Show in conversation
            </button>
            <Show when={props.where.href}>
              {(href) => (
                <Link class="button button--ghost button--small" href={href()}>
                  Open {props.where.label}
                </Link>
              )}
            </Show>
          </div>
        }
      >
        {(messages) => (
          <ol class="review-item__context" aria-label="The conversation around it">
            <For each={messages()}>
              {(m) => (
                <li classList={{ 'search-hit__target': m.id === props.hit.messageId }}>
                  <strong>{replica.members.nameOf(m.authorId)}:</strong>{' '}
                  {m.deleted ? 'Message deleted' : m.hidden ? 'Hidden by moderation' : markdownToPlainText(m.body)}
                </li>
              )}
            </For>
          </ol>
        )}
      </Show>
      <RefusalAlert message={error()} />
    </li>
  );
}
