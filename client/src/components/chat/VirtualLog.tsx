import { createEffect, createMemo, createSignal, For, on, onCleanup, onMount, type JSX } from 'solid-js';

/** Within this many pixels of the bottom the list follows new messages. */
const STICK_PX = 96;
/** Closer than this to the top of the loaded history, older history is asked for. */
const NEAR_TOP_PX = 1200;
/** Rows rendered beyond each edge of the viewport, so fast scrolling does not show blank space. */
const OVERSCAN_PX = 900;

export interface VirtualLogHandle {
  /** Follows the newest messages again. */
  scrollToBottom(): void;
  /**
   * Brings the row with this key into the rendered window and centres it (positions are estimates
   * until rows are measured, so it centres again once they are). Answers the row's element, or null
   * when no row has that key.
   */
  reveal(key: string): Promise<HTMLElement | null>;
  /** Whether the row with this key is wholly on screen now (false for a row the list does not have). */
  inView(key: string): boolean;
}

export interface VirtualLogProps<T extends { key: string }> {
  items: T[];
  /** A first guess of a row's height before it has been measured. */
  estimate: (item: T) => number;
  /** Rows that keep their place when others are prepended or resized (day dividers move: they are not). */
  anchorable: (item: T) => boolean;
  /** Rows that keyboard navigation stops on. */
  focusable: (item: T) => boolean;
  /** Shown above the rows inside the scroll area (the conversation's start or "load older"). */
  header: JSX.Element;
  /** The log's accessible name. */
  label: string;
  /** Called (repeatedly) while the member scrolls near the top of what is loaded. */
  onNearTop?: () => void;
  /** Whether the member is at the bottom, following new messages. */
  onFollowChange?: (following: boolean) => void;
  ref?: (handle: VirtualLogHandle) => void;
  children: (item: T) => JSX.Element;
}

/** The last index whose row starts at or above `y` (offsets[i] is where row i starts). */
export function indexAt(offsets: Float64Array, count: number, y: number): number {
  let lo = 0;
  let hi = count - 1;
  if (hi < 0) return 0;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (offsets[mid]! <= y) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

const nextFrame = () => new Promise<void>((resolve) => requestAnimationFrame(() => resolve()));

/**
 * A chat log that keeps only the rows near the viewport in the DOM: rows flow normally between a top
 * and a bottom padding that stand in for the rows not rendered, every rendered row is measured, and
 * unmeasured rows count at their estimate. The scroll position is kept by hand (browser scroll
 * anchoring is off) so it holds when older pages are prepended and when rows above change height:
 * the first message on screen stays exactly where it was. At the bottom, the log follows new rows.
 */
export function VirtualLog<T extends { key: string }>(props: VirtualLogProps<T>): JSX.Element {
  // Assigned by the refs below before anything reads them (reads happen in effects and events).
  let scroller!: HTMLDivElement;
  let log!: HTMLDivElement;
  const heights = new Map<string, number>();
  const [measured, setMeasured] = createSignal(0);
  /**
   * The viewport in list coordinates (0 = the first row's top). Before the log is laid out the window's
   * height stands in for it: the first render already holds a screenful of rows.
   */
  const [view, setView] = createSignal({ top: 0, height: window.innerHeight });
  /**
   * Rows beyond the viewport are rendered from the second frame on: the first screen of a room opened
   * cold is built and laid out without the ~2 screens of rows above and below it nobody sees yet.
   */
  const [overscan, setOverscan] = createSignal(0);
  const [following, setFollowing] = createSignal(true);
  let anchor: { key: string; delta: number; screenTop: number | null } | null = null;

  const layout = createMemo(() => {
    measured();
    const items = props.items;
    const offsets = new Float64Array(items.length + 1);
    const index = new Map<string, number>();
    for (let i = 0; i < items.length; i++) {
      const item = items[i]!;
      index.set(item.key, i);
      offsets[i + 1] = offsets[i]! + (heights.get(item.key) ?? props.estimate(item));
    }
    return { items, offsets, index };
  });

  /**
   * Where the viewport's top is, in list coordinates. After a layout change and before the scroll
   * position is restored, the remembered message says where it will be: the rendered window then
   * stays on the same rows instead of flashing to other rows and back (which would re-create them).
   * The anchor is a plain variable: record it before setting `view`, which is what recomputes this.
   */
  const viewTop = (): number => {
    const { items, offsets, index } = layout();
    const { top, height } = view();
    if (following()) return Math.max(0, offsets[items.length]! - height);
    const i = anchor ? index.get(anchor.key) : undefined;
    return anchor && i !== undefined ? offsets[i]! - anchor.delta : top;
  };

  const range = createMemo(
    () => {
      const { items, offsets } = layout();
      const top = viewTop();
      const { height } = view();
      const start = indexAt(offsets, items.length, top - overscan());
      const end = Math.min(items.length, indexAt(offsets, items.length, top + height + overscan()) + 1);
      return { start, end };
    },
    { start: 0, end: 0 },
    { equals: (a, b) => a.start === b.start && a.end === b.end },
  );
  const rows = createMemo(() => layout().items.slice(range().start, range().end));
  // For the client bench's start-up timeline: when the first rows are rendered.
  let rowsMarked = false;
  createEffect(() => {
    if (rowsMarked || rows().length === 0) return;
    rowsMarked = true;
    performance.mark('lounge:log-rows');
  });
  const padTop = () => layout().offsets[range().start] ?? 0;
  const padBottom = () => {
    const { offsets, items } = layout();
    return (offsets[items.length] ?? 0) - (offsets[range().end] ?? 0);
  };

  const listTop = () => log.offsetTop;
  /**
   * The scroll position the log last acted on. A scroll event that finds it unchanged is the echo of the
   * log's own correction; any other difference is the member's own scrolling.
   */
  let knownScrollTop = 0;
  /** Outside a Solid update (events, observers, microtasks) this re-renders the window synchronously. */
  const readView = () => {
    knownScrollTop = scroller.scrollTop;
    setView({ top: knownScrollTop - listTop(), height: scroller.clientHeight });
  };

  const rowElement = (key: string) => log.querySelector<HTMLElement>(`[data-key="${CSS.escape(key)}"]`);
  const screenTop = (el: HTMLElement) => el.getBoundingClientRect().top - scroller.getBoundingClientRect().top;

  /**
   * Remembers the first message on screen: where the layout puts it (for choosing rows before the DOM
   * has them) and where it is painted (what the member sees, and what restore() keeps).
   */
  const recordAnchor = () => {
    const { items, offsets, index } = layout();
    const top = scroller.scrollTop - listTop();
    // What is painted decides: the first message whose row starts inside the viewport (a row cut by the
    // top edge may still change height on its first measurement, moving those under it). The layout's
    // positions are estimates for unmeasured rows and can name a row that is off screen.
    // The oldest loaded message is the last choice: when an older page arrives it may join the run of
    // messages above it and lose its author line, changing its own height and moving every row below.
    const frameTop = scroller.getBoundingClientRect().top;
    // Unless the rendered rows do not reach the viewport's top yet (a fast scroll into the padding).
    const first = log.firstElementChild;
    const covered = range().start === 0 || (first !== null && first.getBoundingClientRect().top <= frameTop);
    const oldestIndex = items.findIndex((item) => props.anchorable(item));
    let oldest: { i: number; screenTop: number } | null = null;
    for (const child of covered ? log.children : []) {
      const i = index.get((child as HTMLElement).dataset.key ?? '');
      if (i === undefined) continue;
      const elTop = child.getBoundingClientRect().top - frameTop;
      if (elTop >= scroller.clientHeight) break;
      if (elTop < 0 || !props.anchorable(items[i]!)) continue;
      if (i === oldestIndex) {
        oldest = { i, screenTop: elTop };
        continue;
      }
      anchor = { key: items[i]!.key, delta: offsets[i]! - top, screenTop: elTop };
      return;
    }
    if (oldest) {
      anchor = { key: items[oldest.i]!.key, delta: offsets[oldest.i]! - top, screenTop: oldest.screenTop };
      return;
    }
    // Nothing rendered in view yet (a jump far away): the layout's guess until rows are rendered.
    let i = indexAt(offsets, items.length, top);
    if (offsets[i]! < top && i < items.length - 1) i++;
    while (i < items.length - 1 && !props.anchorable(items[i]!)) i++;
    const item = items[i];
    anchor = item ? { key: item.key, delta: offsets[i]! - top, screenTop: null } : null;
  };

  /**
   * Moves the scroll position so the remembered message is where it was painted (or the bottom is in
   * view when following). The DOM decides when the row is rendered, so estimates and regrouped rows
   * above it cannot move it; the layout decides otherwise. Answers whether it scrolled.
   */
  const correct = (): boolean => {
    const before = scroller.scrollTop;
    if (following()) {
      scroller.scrollTop = scroller.scrollHeight;
    } else if (anchor) {
      const el = rowElement(anchor.key);
      const i = layout().index.get(anchor.key);
      if (el && anchor.screenTop !== null) {
        const drift = screenTop(el) - anchor.screenTop;
        if (Math.abs(drift) >= 0.5) scroller.scrollTop += drift;
      } else if (i !== undefined) {
        const target = listTop() + layout().offsets[i]! - anchor.delta;
        if (Math.abs(scroller.scrollTop - target) >= 1) scroller.scrollTop = target;
      }
    }
    return scroller.scrollTop !== before;
  };

  /**
   * Keeps the place after anything moved rows: corrects, renders the window for the new position, and
   * corrects again while newly rendered rows (unmeasured, so off their estimates) still move it — all
   * before the browser paints or another task can look, so no in-between position is ever seen.
   */
  const restore = () => {
    // Scrolling the member did since the log last looked moves the remembered place with it, or the
    // correction would undo it.
    const scrolled = scroller.scrollTop - knownScrollTop;
    if (anchor && scrolled !== 0 && !following()) {
      anchor.delta -= scrolled;
      if (anchor.screenTop !== null) anchor.screenTop -= scrolled;
    }
    for (let pass = 0; pass < 4 && correct(); pass++) readView();
    readView();
    // The place is the member's: it is chosen again only when they scroll (or when its row is gone or
    // was not rendered yet), never after a correction, which could pick a row whose height is changing.
    if (!anchor || anchor.screenTop === null || !layout().index.has(anchor.key)) {
      recordAnchor();
    } else if (!following()) {
      // Where no scrolling can put it back (the top of what is loaded), the place is where it now is.
      const el = rowElement(anchor.key);
      if (el) anchor.screenTop = screenTop(el);
    }
  };

  /**
   * Solid effects see the DOM before their own writes are rendered: restore in a microtask, which runs
   * after the update and still before paint and before any other task.
   */
  let restoreQueued = false;
  const queueRestore = () => {
    if (restoreQueued) return;
    restoreQueued = true;
    queueMicrotask(() => {
      restoreQueued = false;
      restore();
    });
  };

  const follow = (value: boolean) => {
    if (value === following()) return;
    setFollowing(value);
    props.onFollowChange?.(value);
  };

  const checkNearTop = () => {
    if (scroller.scrollTop - listTop() < NEAR_TOP_PX) props.onNearTop?.();
  };

  const onScroll = () => {
    // The echo of the log's own correction: the remembered place is already right.
    if (Math.abs(scroller.scrollTop - knownScrollTop) < 0.5) {
      checkNearTop();
      return;
    }
    follow(scroller.scrollHeight - scroller.scrollTop - scroller.clientHeight < STICK_PX);
    recordAnchor();
    readView();
    // Rows rendered for the new position can move the one just recorded until they are measured.
    restore();
    checkNearTop();
  };

  // Rows, the header above them and the viewport all change size: measure, then keep the place.
  const rowObserver = new ResizeObserver((entries) => {
    let changed = false;
    for (const entry of entries) {
      const el = entry.target as HTMLElement;
      const key = el.dataset.key;
      if (key === undefined || !el.isConnected) continue;
      const height = entry.borderBoxSize[0]?.blockSize ?? el.offsetHeight;
      if (Math.abs((heights.get(key) ?? -1) - height) >= 0.5) {
        heights.set(key, height);
        changed = true;
      }
    }
    if (changed) setMeasured((n) => n + 1);
    restore();
  });
  const frameObserver = new ResizeObserver(() => restore());
  onCleanup(() => {
    rowObserver.disconnect();
    frameObserver.disconnect();
  });

  // After every layout change (new rows, prepended pages, measured heights), once the DOM has them.
  // A short conversation does not scroll at all, so it asks for older history here too.
  createEffect(
    on(
      layout,
      () => {
        queueRestore();
        checkNearTop();
      },
      { defer: true },
    ),
  );

  onMount(() => {
    performance.mark('lounge:log-mounted');
    frameObserver.observe(scroller);
    const header = scroller.firstElementChild;
    if (header instanceof HTMLElement && header !== log) frameObserver.observe(header);
    readView();
    const widen = requestAnimationFrame(() => setTimeout(() => setOverscan(OVERSCAN_PX), 0));
    onCleanup(() => cancelAnimationFrame(widen));
  });

  const reveal = async (key: string): Promise<HTMLElement | null> => {
    const centre = () => {
      const { offsets, index } = layout();
      const i = index.get(key);
      if (i === undefined) return false;
      const height = offsets[i + 1]! - offsets[i]!;
      follow(false);
      scroller.scrollTop = listTop() + offsets[i]! - Math.max(0, (scroller.clientHeight - height) / 2);
      recordAnchor();
      readView();
      return true;
    };
    if (!centre()) return null;
    // Rows rendered around the target are measured before the next paint: centre on real heights.
    for (let pass = 0; pass < 3; pass++) {
      await nextFrame();
      if (!centre()) return null;
    }
    return rowElement(key);
  };

  /** Feed-style keys: from a focused message, move to the one before or after it. */
  const onKeyDown = (event: KeyboardEvent) => {
    const target = event.target as HTMLElement;
    const rowEl = target.closest<HTMLElement>('[data-key]');
    if (!rowEl || target.closest('input, textarea, [role="menu"], [role="dialog"]')) return;
    const onRow = target === rowEl.firstElementChild;
    const { items, index } = layout();
    const from = index.get(rowEl.dataset.key ?? '');
    if (from === undefined) return;
    let step = 0;
    let jumpTo: number | null = null;
    if (event.key === 'PageDown' || (onRow && event.key === 'ArrowDown')) step = 1;
    else if (event.key === 'PageUp' || (onRow && event.key === 'ArrowUp')) step = -1;
    else if (event.ctrlKey && event.key === 'Home') jumpTo = 0;
    else if (event.ctrlKey && event.key === 'End') jumpTo = items.length - 1;
    else return;
    let i = jumpTo ?? from + step;
    const dir = jumpTo === 0 ? 1 : jumpTo !== null ? -1 : step;
    while (i >= 0 && i < items.length && !props.focusable(items[i]!)) i += dir;
    const item = items[i];
    event.preventDefault();
    if (!item) return;
    const focusRow = (el: HTMLElement | null) => {
      const focusTarget = el?.firstElementChild;
      if (focusTarget instanceof HTMLElement) focusTarget.focus();
    };
    const rendered = rowElement(item.key);
    if (rendered) {
      focusRow(rendered);
      follow(i === items.length - 1 && following());
    } else void reveal(item.key).then(focusRow);
  };

  props.ref?.({
    scrollToBottom: () => {
      follow(true);
      restore();
    },
    reveal,
    inView: (key) => {
      const { offsets, index } = layout();
      const i = index.get(key);
      if (i === undefined) return false;
      const top = scroller.scrollTop - listTop();
      return offsets[i]! >= top && offsets[i + 1]! <= top + scroller.clientHeight;
    },
  });

  return (
    <div class="chat__scroller" ref={(el) => (scroller = el)} onScroll={onScroll}>
      {props.header}
      <div
        ref={(el) => (log = el)}
        class="chat__log"
        role="log"
        // While the member reads history, rows come and go as they scroll: only announce at the bottom.
        aria-live={following() ? 'polite' : 'off'}
        aria-relevant="additions"
        aria-label={props.label}
        data-testid="message-log"
        data-rows-total={props.items.length}
        style={{ 'padding-top': `${padTop()}px`, 'padding-bottom': `${padBottom()}px` }}
        onKeyDown={onKeyDown}
      >
        <For each={rows()}>
          {(item) => (
            <div
              class="chat__row"
              data-key={item.key}
              ref={(el) => {
                rowObserver.observe(el);
                onCleanup(() => rowObserver.unobserve(el));
              }}
            >
              {props.children(item)}
            </div>
          )}
        </For>
      </div>
    </div>
  );
}
