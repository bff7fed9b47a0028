import { describe, expect, it } from 'vitest';
import {
  insertMention,
  mentionQueryAt,
  rankMentionCandidates,
  splitMentions,
  type MentionCandidate,
} from './mentions.ts';

/** The text with `|` marking the caret. */
const at = (marked: string) => mentionQueryAt(marked.replace('|', ''), marked.indexOf('|'));

describe('mentionQueryAt finds the @handle being typed at the caret', () => {
  it('answers the query typed after an @ at the start or after a space or punctuation', () => {
    expect(at('@gr|')).toEqual({ start: 0, end: 3, query: 'gr' });
    expect(at('hi @g|')).toEqual({ start: 3, end: 5, query: 'g' });
    expect(at('(@ada_l|')).toEqual({ start: 1, end: 7, query: 'ada_l' });
    expect(at('line one\n@Gra|')).toEqual({ start: 9, end: 13, query: 'Gra' });
  });

  it('takes the query up to the caret and the word to its end when the caret is inside it', () => {
    expect(at('hey @gr|ace, look')).toEqual({ start: 4, end: 10, query: 'gr' });
  });

  it('answers null for a bare @, an e-mail address, @@, a caret elsewhere, or a word starting with . or -', () => {
    expect(at('@|')).toBeNull();
    expect(at('hi @| there')).toBeNull();
    expect(at('ada@exa|')).toBeNull();
    expect(at('@@gr|')).toBeNull();
    expect(at('@grace and fr|')).toBeNull();
    expect(at('@grace |')).toBeNull();
    expect(at('@.gr|')).toBeNull();
    expect(at('@-gr|')).toBeNull();
    expect(at(`@${'a'.repeat(33)}|`)).toBeNull();
  });

  it('accepts dots and dashes inside a handle, as handles may have them', () => {
    expect(at('@ada.l-o|')).toEqual({ start: 0, end: 8, query: 'ada.l-o' });
  });

  it('answers null for a caret outside the text', () => {
    expect(mentionQueryAt('@gr', 4)).toBeNull();
    expect(mentionQueryAt('@gr', -1)).toBeNull();
  });
});

describe('insertMention puts @handle and a space where the query was', () => {
  it('replaces the query at the end of the text and puts the caret after the space', () => {
    const text = 'thanks @gr';
    const result = insertMention(text, mentionQueryAt(text, text.length)!, 'grace');
    expect(result).toEqual({ text: 'thanks @grace ', caret: 14 });
  });

  it('replaces the whole word around the caret and keeps what follows', () => {
    const text = 'hey @grxx, look';
    const result = insertMention(text, mentionQueryAt(text, 7)!, 'grace');
    expect(result.text).toBe('hey @grace , look');
    expect(result.text.slice(0, result.caret)).toBe('hey @grace ');
  });

  it('reuses a space that already follows instead of doubling it', () => {
    const text = '@gr and more';
    const result = insertMention(text, mentionQueryAt(text, 3)!, 'grace_h');
    expect(result.text).toBe('@grace_h and more');
    expect(result.caret).toBe('@grace_h '.length);
  });
});

describe('splitMentions turns the resolved @handles of a body into mention parts', () => {
  const resolved = (...handles: string[]) => {
    const set = new Set(handles);
    return (handle: string) => set.has(handle);
  };

  it('makes resolved handles mentions and keeps everything else as text, exactly as written', () => {
    expect(splitMentions('hi @Grace and @nobody!', resolved('grace'))).toEqual([
      { kind: 'text', text: 'hi ' },
      { kind: 'mention', text: '@Grace', handle: 'grace' },
      { kind: 'text', text: ' and @nobody!' },
    ]);
  });

  it('leaves e-mail addresses, @@ and a lone @ alone', () => {
    const parts = splitMentions('mail grace@grace.dev or @@grace or @ grace', resolved('grace', 'grace.dev'));
    expect(parts).toEqual([{ kind: 'text', text: 'mail grace@grace.dev or @@grace or @ grace' }]);
  });

  it('drops sentence punctuation after a handle when only the shorter handle was mentioned', () => {
    expect(splitMentions('thanks @grace.', resolved('grace'))).toEqual([
      { kind: 'text', text: 'thanks ' },
      { kind: 'mention', text: '@grace', handle: 'grace' },
      { kind: 'text', text: '.' },
    ]);
    // A handle that really ends with a dot wins when it is the one mentioned.
    expect(splitMentions('@ada.', resolved('ada.', 'ada'))).toEqual([
      { kind: 'mention', text: '@ada.', handle: 'ada.' },
    ]);
  });

  it('finds mentions at the start, after punctuation, next to each other and on new lines', () => {
    const parts = splitMentions('@ada,@grace\n(@ada)', resolved('ada', 'grace'));
    expect(parts.map((p) => `${p.kind}:${p.text}`)).toEqual([
      'mention:@ada',
      'text:,',
      'mention:@grace',
      'text:\n(',
      'mention:@ada',
      'text:)',
    ]);
  });

  it('answers one text part when nothing is mentioned, and none for empty text', () => {
    expect(splitMentions('no mentions here', resolved())).toEqual([{ kind: 'text', text: 'no mentions here' }]);
    expect(splitMentions('@grace', resolved())).toEqual([{ kind: 'text', text: '@grace' }]);
    expect(splitMentions('', resolved())).toEqual([]);
  });

  it('never produces markup: angle brackets stay in text parts', () => {
    const parts = splitMentions('<b>@grace</b>', resolved('grace'));
    expect(parts).toEqual([
      { kind: 'text', text: '<b>' },
      { kind: 'mention', text: '@grace', handle: 'grace' },
      { kind: 'text', text: '</b>' },
    ]);
  });
});

describe('rankMentionCandidates orders suggestions', () => {
  const m = (id: string, handle: string, name: string): MentionCandidate => ({ id, handle, name });
  const grace = m('1', 'grace_h', 'Grace Hopper');
  const greg = m('2', 'greg', 'Greg Grey');
  const ada = m('3', 'ada', 'Ada Lovelace');
  const gr = m('4', 'zed', 'Green Zed');
  const blocked = m('5', 'grumpy', 'Grumpy');
  const none = () => false;

  it('matches handle prefixes and name-word prefixes, case-insensitively, group by group', () => {
    const here = [greg];
    const others = [gr, grace, ada];
    expect(rankMentionCandidates('GR', [here, others], none).map((c) => c.handle)).toEqual(['greg', 'grace_h', 'zed']);
    expect(rankMentionCandidates('hop', [here, others], none).map((c) => c.handle)).toEqual(['grace_h']);
  });

  it('lists a member once, even when in several groups, and leaves out excluded members and missing handles', () => {
    const groups = [[grace], [grace, blocked, m('6', '', 'Grant No-handle')]];
    const ranked = rankMentionCandidates('gr', groups, (id) => id === '5');
    expect(ranked).toEqual([grace]);
  });

  it('stops at the limit', () => {
    const many = Array.from({ length: 20 }, (_, i) => m(String(i), `gr${String(i).padStart(2, '0')}`, 'x'));
    expect(rankMentionCandidates('gr', [many], none, 5).map((c) => c.handle)).toEqual([
      'gr00',
      'gr01',
      'gr02',
      'gr03',
      'gr04',
    ]);
  });
});
