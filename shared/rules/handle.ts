/**
 * What a handle may be — the one rule the sign-in form checks before sending and the server enforces:
 * 2–32 characters, letters, digits, `_`, `.` and `-`, not starting with `.` or `-` (so it reads well after
 * an `@` and in an address).
 */
export const HANDLE_MIN_CHARS = 2;
export const HANDLE_MAX_CHARS = 32;
export const HANDLE_PATTERN = /^[A-Za-z0-9_][A-Za-z0-9_.-]*$/;

/** Why `handle` (already trimmed) cannot be one, as a sentence for the member; null when it can. */
export function handleProblem(handle: string): string | null {
  if (handle.length === 0) return 'Pick a handle: it is how others mention you (@you).';
  if (handle.length < HANDLE_MIN_CHARS) return `A handle needs at least ${HANDLE_MIN_CHARS} characters.`;
  if (handle.length > HANDLE_MAX_CHARS) return `A handle can have at most ${HANDLE_MAX_CHARS} characters.`;
  if (/^[.-]/.test(handle)) return 'A handle cannot start with “.” or “-”.';
  if (!HANDLE_PATTERN.test(handle))
    return 'A handle may use only letters, digits, “_”, “.” and “-” (no spaces or other marks).';
  return null;
}
