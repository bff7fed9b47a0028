import { describe, expect, it } from 'vitest';
import { matchPlaces } from './place-match.ts';

const place = (name: string, unread = false) => ({ name, unread });
const PLACES = [
  place('AI Art & Design'),
  place('Coding & Automation', true),
  place('Prompt Engineering'),
  place('Ada Lovelace, Grace Hopper', true),
  place('Settings'),
];
const names = (typed: string, limit = 10) => matchPlaces(PLACES, typed, limit).map((p) => p.name);

describe('the quick switcher finds places by what was typed', () => {
  it('ranks names that start with it, then a word that does, then any that contain it; ignores case', () => {
    expect(names('a')).toEqual(['AI Art & Design', 'Ada Lovelace, Grace Hopper', 'Coding & Automation']);
    expect(names('ENGI')).toEqual(['Prompt Engineering']);
    expect(names('grace')).toEqual(['Ada Lovelace, Grace Hopper']);
    expect(names('sign')).toEqual(['AI Art & Design']);
    expect(names('zzz')).toEqual([]);
  });

  it('with nothing typed, shows what has something new first, and never more than asked', () => {
    expect(names('  ')).toEqual([
      'Coding & Automation',
      'Ada Lovelace, Grace Hopper',
      'AI Art & Design',
      'Prompt Engineering',
      'Settings',
    ]);
    expect(names('', 2)).toEqual(['Coding & Automation', 'Ada Lovelace, Grace Hopper']);
  });
});
