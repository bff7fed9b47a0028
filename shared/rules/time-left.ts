/**
 * "12 more minutes", "about 3 more hours": how long a restriction still lasts, in words a member reads. Minutes
 * round up, so nobody is told "0 more minutes" or tries again a little too early; longer spans say "about"
 * because the exact end time is on the decision (`until`) for anyone who needs it.
 */
export function describeTimeLeft(ms: number): string {
  const minutes = Math.max(1, Math.ceil(ms / 60_000));
  if (minutes < 120) return minutes === 1 ? '1 more minute' : `${minutes} more minutes`;
  const hours = Math.round(minutes / 60);
  if (hours < 48) return `about ${hours} more hours`;
  return `about ${Math.round(hours / 24)} more days`;
}
