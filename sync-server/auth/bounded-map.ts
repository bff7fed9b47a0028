/**
 * Sets `key` in a Map that keeps at most `capacity` entries: past it, the entry set longest ago goes
 * (Maps iterate in insertion order). For per-process memories of things that can be read again.
 */
export function setBounded<K, V>(map: Map<K, V>, key: K, value: V, capacity: number): void {
  map.delete(key);
  if (map.size >= capacity) {
    const oldest = map.keys().next();
    if (!oldest.done) map.delete(oldest.value);
  }
  map.set(key, value);
}
