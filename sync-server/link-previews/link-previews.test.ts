import { describe, expect, it } from 'vitest';
import { isPublicAddress } from './public-address.ts';
import { readPreview } from './read-preview.ts';

describe('addresses a link preview may read', () => {
  it('refuses the machine, its networks, cloud metadata and reserved space; takes the public internet', () => {
    for (const address of [
      '127.0.0.1',
      '10.1.2.3',
      '172.20.0.5',
      '192.168.1.10',
      '169.254.169.254',
      '100.64.0.1',
      '0.0.0.0',
      '224.0.0.1',
      '::1',
      '::',
      'fd00::1',
      'fe80::1',
      '::ffff:127.0.0.1',
      '::ffff:10.0.0.1',
      'not an address',
    ])
      expect(isPublicAddress(address), address).toBe(false);
    for (const address of ['93.184.216.34', '1.1.1.1', '2606:4700:4700::1111', '::ffff:93.184.216.34'])
      expect(isPublicAddress(address), address).toBe(true);
  });
});

describe("reading a page's card", () => {
  it('takes Open Graph first, decodes entities, and cuts long text', () => {
    const html = `<!doctype html><html><head>
      <title>Fallback title</title>
      <meta property="og:title" content="Retry with backoff &amp; jitter">
      <meta property="og:description" content="${'How to retry. '.repeat(40)}">
      <meta property="og:site_name" content="Lounge Docs">
      <meta property="og:image" content="https://tracker.example.net/pixel.png">
    </head><body><meta property="og:title" content="ignored, in the body"></body></html>`;
    const { card, imageUrl } = readPreview(html, 'https://docs.example.org/retry')!;
    expect(card.title).toBe('Retry with backoff & jitter');
    expect([...card.description!].length).toBe(300);
    expect(card.description!.endsWith('…')).toBe(true);
    expect(card).toEqual({
      url: 'https://docs.example.org/retry',
      title: 'Retry with backoff & jitter',
      description: card.description,
      siteName: 'Lounge Docs',
    });
    // The picture is only named (the server copies it); the card itself never points at the site's copy.
    expect(imageUrl).toBe('https://tracker.example.net/pixel.png');
    expect(JSON.stringify(card)).not.toContain('pixel.png');
  });

  it("names the page's picture as an absolute web address, or none", () => {
    const image = (tags: string) =>
      readPreview(`<head><title>T</title>${tags}</head>`, 'https://example.org/blog/post')?.imageUrl;
    expect(image('<meta property="og:image" content="/img/cover.png">')).toBe('https://example.org/img/cover.png');
    expect(image('<meta name="twitter:image" content="https://cdn.example.org/c.jpg">')).toBe(
      'https://cdn.example.org/c.jpg',
    );
    expect(image('<meta property="og:image" content="javascript:alert(1)">')).toBeNull();
    expect(image('<meta property="og:image" content="data:image/png;base64,AAAA">')).toBeNull();
    expect(image('')).toBeNull();
  });

  it('falls back to <title>, the meta description and the host name; a page naming nothing has no card', () => {
    expect(
      readPreview(
        '<html><head><TITLE>  A   plain\n page </TITLE><meta name="description" content="Plain words."></head></html>',
        'https://www.example.org/x',
      ),
    ).toEqual({
      card: {
        url: 'https://www.example.org/x',
        title: 'A plain page',
        description: 'Plain words.',
        siteName: 'example.org',
      },
      imageUrl: null,
    });
    expect(readPreview('<html><head></head><body>hello</body></html>', 'https://example.org/')).toBeNull();
    // Markup in a title is text.
    expect(readPreview('<title>&lt;script&gt;x&lt;/script&gt;</title>', 'https://example.org/')?.card.title).toBe(
      '<script>x</script>',
    );
  });
});
