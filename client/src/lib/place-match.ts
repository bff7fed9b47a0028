/** A place the quick switcher can go to, as it is matched (the rest of it is the caller's). */
export interface Named {
  name: string;
  unread: boolean;
}

/**
 * The places for what was typed, best first: names that start with it, then names with a word that does
 * ("engi" → Prompt Engineering), then names that contain it; case is ignored. With nothing typed, the
 * places with something new come first, in their order. At most `limit`.
 */
export function matchPlaces<T extends Named>(places: readonly T[], typed: string, limit: number): T[] {
  const q = typed.trim().toLowerCase();
  if (q === '') return [...places.filter((p) => p.unread), ...places.filter((p) => !p.unread)].slice(0, limit);
  const rank = (name: string) => {
    const lower = name.toLowerCase();
    if (lower.startsWith(q)) return 0;
    if (lower.split(/[\s&,·-]+/).some((word) => word.startsWith(q))) return 1;
    return lower.includes(q) ? 2 : 3;
  };
  return places
    .map((place) => ({ place, rank: rank(place.name) }))
    .filter((m) => m.rank < 3)
    .sort((a, b) => a.rank - b.rank)
    .map((m) => m.place)
    .slice(0, limit);
}
