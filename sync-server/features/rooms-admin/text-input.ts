/**
 * PostgreSQL `text` cannot hold NUL (U+0000): a name or query containing one would fail inside the
 * database as a 500. Free-text inputs refuse it at the edge instead, with a sentence:
 * `z.string().refine(noNul, NO_NUL_MESSAGE)`.
 */
export const noNul = (value: string): boolean => !value.includes('\u0000');
export const NO_NUL_MESSAGE = 'must not contain NUL characters (U+0000)';
