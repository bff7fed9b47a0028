import { describe, expect, it } from 'vitest';
import {
  firstLink,
  insideOpenFence,
  markdownToPlainText,
  parseMessage,
  threadTitleFrom,
  type MdBlock,
} from './message-markdown.ts';

const text = (t: string) => ({ kind: 'text', text: t });
const paragraph = (...children: unknown[]) => ({ kind: 'paragraph', children });

describe('parseMessage reads a body the way chat members write it', () => {
  it('keeps plain words as one paragraph of the same text, and an empty body as nothing', () => {
    expect(parseMessage('Hi everyone! Just joined 👋')).toEqual([paragraph(text('Hi everyone! Just joined 👋'))]);
    expect(parseMessage('')).toEqual([]);
  });

  it('reads bold, italics, strike-through and inline code', () => {
    expect(parseMessage('a **b** _c_ ~~d~~ `e < f`')).toEqual([
      paragraph(
        text('a '),
        { kind: 'strong', children: [text('b')] },
        text(' '),
        { kind: 'em', children: [text('c')] },
        text(' '),
        { kind: 'del', children: [text('d')] },
        text(' '),
        { kind: 'code', text: 'e < f' },
      ),
    ]);
  });

  it('makes a single line break a line break, as every chat does', () => {
    expect(parseMessage('first\nsecond')).toEqual([paragraph(text('first'), { kind: 'break' }, text('second'))]);
  });

  it('keeps a fenced code block verbatim, with its language', () => {
    const body = '```ts\nconst a = b < c && **d**; // @alice\n  indented\n```';
    expect(parseMessage(body)).toEqual([
      { kind: 'code', lang: 'ts', text: 'const a = b < c && **d**; // @alice\n  indented' },
    ]);
  });

  it('shows raw HTML and unsafe links as the characters typed, never as markup', () => {
    expect(parseMessage('<b>hi</b> <img src=x onerror=alert(1)>')).toEqual([
      paragraph(text('<b>hi</b> <img src=x onerror=alert(1)>')),
    ]);
    expect(parseMessage('[click](javascript:alert(1))')).toEqual([paragraph(text('[click](javascript:alert(1))'))]);
  });

  it('links http(s) only: written links, bare addresses without the full stop after them', () => {
    expect(parseMessage('[docs](https://example.com/a) and https://example.org/b.')).toEqual([
      paragraph(
        { kind: 'link', href: 'https://example.com/a', children: [text('docs')] },
        text(' and '),
        { kind: 'link', href: 'https://example.org/b', children: [text('https://example.org/b')] },
        text('.'),
      ),
    ]);
    // An e-mail address is not turned into a mailto: link.
    expect(markdownToPlainText('mail ada@example.com')).toBe('mail ada@example.com');
    expect(JSON.stringify(parseMessage('mail ada@example.com'))).not.toContain('"link"');
  });

  it('turns an image from elsewhere into a link to it (no remote image loads in a message)', () => {
    expect(parseMessage('![cat](https://example.com/cat.png)')).toEqual([
      paragraph({ kind: 'link', href: 'https://example.com/cat.png', children: [text('cat')] }),
    ]);
  });

  it('keeps a line that looks like a link definition (it would otherwise vanish)', () => {
    expect(markdownToPlainText('[1]: https://example.com\nsee [1]')).toContain('[1]: https://example.com');
  });

  it('reads quotes, lists (numbered from where they start) and task lists', () => {
    const blocks = parseMessage('> quoted\n\n3. three\n4. four\n\n- [x] done\n- [ ] todo');
    expect(blocks[0]).toEqual({ kind: 'quote', blocks: [paragraph(text('quoted'))] });
    expect(blocks[1]).toMatchObject({ kind: 'list', ordered: true, start: 3 });
    const tasks = blocks[2] as Extract<MdBlock, { kind: 'list' }>;
    expect(tasks.items.map((i) => [i.task, i.checked, i.blocks])).toEqual([
      [true, true, [paragraph(text('done'))]],
      [true, false, [paragraph(text('todo'))]],
    ]);
  });

  it('reads tables and headings (at three sizes at most)', () => {
    expect(parseMessage('| a | b |\n|:-|-:|\n| 1 | 2 |')).toEqual([
      {
        kind: 'table',
        align: ['left', 'right'],
        header: [[text('a')], [text('b')]],
        rows: [[[text('1')], [text('2')]]],
      },
    ]);
    expect(parseMessage('###### small')).toEqual([{ kind: 'heading', level: 3, children: [text('small')] }]);
  });

  it('ends deep nesting as typed text instead of building an endless tree', () => {
    const body = `${'> '.repeat(200)}deep`;
    const plain = markdownToPlainText(body);
    expect(plain).toContain('deep');
    let depth = 0;
    let blocks = parseMessage(body);
    while (blocks[0]?.kind === 'quote') {
      depth++;
      blocks = blocks[0].blocks;
    }
    expect(depth).toBeLessThanOrEqual(10);
  });

  it('shows as typed a body nested deeper than the lexer can follow, instead of failing', () => {
    for (const body of ['>'.repeat(4000), '> '.repeat(2000), `${'- '.repeat(1999)}x`, '1. '.repeat(1333)]) {
      expect(() => parseMessage(body)).not.toThrow();
      expect(markdownToPlainText(body)).toBe(body);
    }
  });

  it('reads every character of a body of punctuation soup', () => {
    const body = '*_[`~'.repeat(800);
    expect(markdownToPlainText(body).replace(/\s/g, '').length).toBeGreaterThan(0);
  });
});

describe('markdownToPlainText gives the words without the marks', () => {
  it('drops emphasis and keeps code and link text', () => {
    expect(markdownToPlainText('**How do I** fix `npm ci` with [this](https://example.com)?')).toBe(
      'How do I fix npm ci with this?',
    );
  });

  it('puts blocks on lines of their own', () => {
    expect(markdownToPlainText('```py\nprint(1)\n```\nwhy?')).toBe('print(1)\nwhy?');
  });
});

describe('insideOpenFence tells the composer when Enter belongs to a code block', () => {
  it('is true after an opening fence until it is closed', () => {
    expect(insideOpenFence('look:\n```ts\nconst a = 1;', 23)).toBe(true);
    expect(insideOpenFence('```\ncode\n```', 12)).toBe(false);
    expect(insideOpenFence('plain words', 5)).toBe(false);
  });

  it('reads only what is before the caret, and needs the same fence to close', () => {
    const text = '```\nx\n```';
    expect(insideOpenFence(text, 5)).toBe(true);
    expect(insideOpenFence('~~~\n```\nstill code', 18)).toBe(true);
    expect(insideOpenFence('````\n```\nstill code', 19)).toBe(true);
    expect(insideOpenFence('inline ```code``` here', 22)).toBe(false);
  });
});

describe('the link a preview shows', () => {
  it('is the first web address in reading order, bare or as a labelled link, never one in code', () => {
    expect(firstLink('see https://example.org/a and https://example.org/b')).toBe('https://example.org/a');
    expect(firstLink('**read [the guide](https://docs.example.org/guide)** first')).toBe(
      'https://docs.example.org/guide',
    );
    expect(firstLink('```\ncurl https://internal.example.org\n```\nthen https://example.org')).toBe(
      'https://example.org/',
    );
    expect(firstLink('`https://example.org` in code only')).toBeNull();
    expect(firstLink('- item\n- > quoted https://example.org/q')).toBe('https://example.org/q');
    expect(firstLink('no links, javascript:alert(1) neither')).toBeNull();
  });
});

describe("a thread's title from a message", () => {
  it('is the first line of words, without Markdown, cut to the length asked', () => {
    expect(threadTitleFrom('**How do I** retry a request?\nI tried backoff.', 80)).toBe('How do I retry a request?');
    expect(threadTitleFrom('\n\n  Second try  \nmore', 80)).toBe('Second try');
    expect(threadTitleFrom('```python\nimport requests\n```', 80)).toBe('import requests');
    expect(threadTitleFrom('---', 80)).toBe('---');
    const long = threadTitleFrom('word '.repeat(40), 20);
    expect([...long]).toHaveLength(20);
    expect(long.endsWith('…')).toBe(true);
  });
});
