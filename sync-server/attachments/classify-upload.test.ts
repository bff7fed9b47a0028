import { deflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { classifyUpload, cleanFilename } from './classify-upload.ts';

/** A PNG header (signature + IHDR) claiming a size: enough for the size to be read. */
function pngHeader(width: number, height: number): Buffer {
  const ihdr = Buffer.alloc(25);
  ihdr.writeUInt32BE(13, 0);
  ihdr.write('IHDR', 4, 'ascii');
  ihdr.writeUInt32BE(width, 8);
  ihdr.writeUInt32BE(height, 12);
  ihdr.set([8, 2, 0, 0, 0], 16);
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    ihdr,
    deflateSync(Buffer.alloc(8)),
  ]);
}

const GIF = Buffer.from('474946383961020003008000000000ffffff21f90401000000002c00000000020003000002028c0b003b', 'hex');
// A 1×1 JPEG's first bytes up to and including its SOF0 segment (height 7, width 5).
const JPEG = Buffer.from('ffd8ffe000104a46494600010100000100010000ffc0000b080007000501011100ffd9', 'hex');

describe('classifyUpload', () => {
  it('reads images by their bytes, with their size', () => {
    expect(classifyUpload(pngHeader(1280, 720))).toEqual({ ok: true, type: 'image/png', width: 1280, height: 720 });
    expect(classifyUpload(GIF)).toEqual({ ok: true, type: 'image/gif', width: 2, height: 3 });
    expect(classifyUpload(JPEG)).toEqual({ ok: true, type: 'image/jpeg', width: 5, height: 7 });
  });

  it('refuses an image a browser should not be asked to draw', () => {
    const bomb = classifyUpload(pngHeader(100_000, 100_000));
    expect(bomb).toEqual({ ok: false, reason: 'This image is too large to show (100000 × 100000 pixels).' });
  });

  it('takes PDFs by their signature and plain UTF-8 text as text, whatever they are called', () => {
    expect(classifyUpload(Buffer.from('%PDF-1.4\n%\u00e2\u00e3'))).toEqual({ ok: true, type: 'application/pdf' });
    expect(classifyUpload(Buffer.from('def main():\n\tprint("héllo")\r\n'))).toEqual({ ok: true, type: 'text/plain' });
    // A page or an SVG is text here: served as text/plain it cannot run.
    expect(classifyUpload(Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>'))).toEqual({
      ok: true,
      type: 'text/plain',
    });
  });

  it('refuses binaries and text that is not text', () => {
    expect(classifyUpload(Buffer.from([0x4d, 0x5a, 0x90, 0x00, 0x03]))).toMatchObject({ ok: false });
    expect(classifyUpload(Buffer.from([0x50, 0x4b, 0x03, 0x04, 0x14, 0x00]))).toMatchObject({ ok: false });
    expect(classifyUpload(Buffer.from([0xc3, 0x28, 0x41]))).toMatchObject({ ok: false }); // invalid UTF-8
    expect(classifyUpload(Buffer.from('abc\u0000def'))).toMatchObject({ ok: false });
  });
});

describe('cleanFilename', () => {
  it('keeps the last part of a path, without control characters', () => {
    expect(cleanFilename('C:\\Users\\ada\\Desktop\\shot 1.png')).toBe('shot 1.png');
    expect(cleanFilename('/home/ada/notes.md')).toBe('notes.md');
    expect(cleanFilename('bad\u0007name\n.txt')).toBe('badname.txt');
  });

  it('names nameless files, and shortens long names keeping the extension', () => {
    expect(cleanFilename(undefined)).toBe('file');
    expect(cleanFilename('  ')).toBe('file');
    expect(cleanFilename('..')).toBe('file');
    const long = cleanFilename(`${'a'.repeat(400)}.png`);
    expect([...long]).toHaveLength(255);
    expect(long.endsWith('….png')).toBe(true);
  });
});
