import { describe, expect, it } from 'vitest';
import { loadHighlighter } from './code-highlight.ts';

describe('code colours', () => {
  it('splits a fenced block into runs that join to the exact code, keywords and strings marked', async () => {
    const highlight = await loadHighlighter();
    const code = 'const res = await fetch("/api"); // retry on 5xx\nif (res.status >= 500) retry();';
    const tokens = highlight('ts', code)!;
    expect(tokens.map((t) => t.text).join('')).toBe(code);
    expect(tokens).toContainEqual({ text: 'const', classes: 'hljs-keyword' });
    expect(tokens).toContainEqual({ text: '"/api"', classes: 'hljs-string' });
    expect(tokens).toContainEqual({ text: '// retry on 5xx', classes: 'hljs-comment' });
    // Aliases as members write them.
    expect(highlight('py', 'def f():\n    return 1')!.some((t) => t.classes.includes('hljs-keyword'))).toBe(true);
  });

  it('leaves code plain without a language, with one it does not know, or too long to be worth it', async () => {
    const highlight = await loadHighlighter();
    expect(highlight('', 'const x = 1')).toBeNull();
    expect(highlight('klingon', 'qaStaH nuq')).toBeNull();
    expect(highlight('js', 'x'.repeat(20_001))).toBeNull();
  });

  it('keeps markup in code as text: a tag in HTML code is a run of characters, never an element', async () => {
    const highlight = await loadHighlighter();
    const code = '<img src=x onerror="alert(1)">';
    const tokens = highlight('html', code)!;
    expect(tokens.map((t) => t.text).join('')).toBe(code);
    expect(tokens.every((t) => /^[\w\s-]*$/.test(t.classes))).toBe(true);
  });
});
