import { createSignal, onCleanup, type Accessor } from 'solid-js';

/** The time, moved on once a minute for as long as the component lives ("5 minutes ago" stays true). */
export function createMinuteClock(): Accessor<Date> {
  const [now, setNow] = createSignal(new Date());
  const timer = setInterval(() => setNow(new Date()), 60_000);
  onCleanup(() => clearInterval(timer));
  return now;
}
