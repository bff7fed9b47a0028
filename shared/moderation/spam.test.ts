import { describe, it, expect } from 'vitest';
import { blankOutCode } from './code-spans.ts';
import { SPAM_LIMITS, checkSpam, sameMessage } from './spam.ts';

const spam = (body: string, recentBodies?: string[]) =>
  checkSpam({ body, prose: blankOutCode(body), recentBodies }).map((f) => [f.code, f.severity]);

describe('sending the same message again', () => {
  const pitch = 'Check out my new prompt pack, link in bio';

  it('refuses a repeat of any of the last three messages', () => {
    expect(spam(pitch, [pitch, 'b', 'c'])).toEqual([['spam.repeat', 'block']]);
    expect(spam(pitch, ['a', pitch, 'c'])).toEqual([['spam.repeat', 'block']]);
    expect(spam(pitch, ['a', 'b', pitch])).toEqual([['spam.repeat', 'block']]);
  });

  it('lets a message through once three newer ones were sent after it', () => {
    expect(spam(pitch, [pitch, 'a', 'b', 'c'])).toEqual([]);
  });

  it('sees through changed case and spacing', () => {
    expect(spam('CHECK out   my new prompt pack,\nlink in bio  ', [pitch])).toEqual([['spam.repeat', 'block']]);
  });

  it('does not mistake a different message for a repeat', () => {
    expect(spam('Check out my new prompt pack, link in bio!', [pitch])).toEqual([]);
    expect(spam(pitch, [])).toEqual([]);
    expect(spam(pitch)).toEqual([]);
  });

  it('lets short replies like "thanks!" be said twice', () => {
    expect(spam('thank you!', ['thank you!'])).toEqual([]);
    expect(spam('+1', ['+1'])).toEqual([]);
    // Ten letters and digits is where a message starts to count.
    expect(spam('abcde fghij', ['abcde fghij'])).toEqual([['spam.repeat', 'block']]);
    expect(spam('abcde fghi', ['abcde fghi'])).toEqual([]);
  });

  it('compares case-insensitively beyond ASCII', () => {
    expect(sameMessage('ÉCOUTEZ ÇA MAINTENANT', 'écoutez ça maintenant')).toBe(true);
    expect(sameMessage('ÉCOUTEZ', 'écoutes')).toBe(false);
  });
});

describe('ALL CAPS', () => {
  // 20 letters with exactly 14 upper case is 70%.
  const atThreshold = 'ABCDEFGHIJKLMN abcdef';
  const oneBelow = 'ABCDEFGHIJKLM abcdefg';

  it('flags a message that is 70% or more capitals once it has 20 letters', () => {
    expect(spam(atThreshold)).toEqual([['spam.caps', 'flag']]);
    expect(spam('PLEASE EVERYONE READ THIS RIGHT NOW')).toEqual([['spam.caps', 'flag']]);
  });

  it('leaves 69% alone', () => {
    expect(spam(oneBelow)).toEqual([]);
  });

  it('leaves short acronym-heavy messages alone', () => {
    expect(spam('NASA API JSON HTTPS CSV')).toEqual([]); // 19 letters
    expect(spam('NASA APIS JSON HTTPS CSV')).toEqual([['spam.caps', 'flag']]); // 20 letters
  });

  it('counts capitals in any script', () => {
    expect(spam('ПОЖАЛУЙСТА ПРОЧИТАЙТЕ ЭТО СЕЙЧАС')).toEqual([['spam.caps', 'flag']]);
    expect(spam('漢字漢字漢字漢字漢字漢字漢字漢字漢字漢字漢字')).toEqual([]);
  });

  it('ignores constants in code', () => {
    expect(spam('set it like this:\n```\nconst MAX_RETRY_COUNT = DEFAULT_TIMEOUT_MS;\n```')).toEqual([]);
    expect(spam('use `MAX_RETRY_COUNT_DEFAULT_VALUE` for that')).toEqual([]);
  });
});

describe('the same character over and over', () => {
  it('flags ten in a row', () => {
    expect(spam('no' + 'o'.repeat(9))).toEqual([['spam.repeated_chars', 'flag']]);
    expect(spam('wow' + '!'.repeat(10))).toEqual([['spam.repeated_chars', 'flag']]);
    expect(spam('😂'.repeat(10))).toEqual([['spam.repeated_chars', 'flag']]);
  });

  it('allows nine', () => {
    expect(spam('n' + 'o'.repeat(9))).toEqual([]);
    expect(spam('wow' + '!'.repeat(9))).toEqual([]);
  });

  it('allows Markdown rules, numbers and indentation', () => {
    expect(spam('intro\n----------\nbody')).toEqual([]);
    expect(spam('==========')).toEqual([]);
    expect(spam('it costs 10000000000 tokens')).toEqual([]);
    expect(spam(`deeply${' '.repeat(20)}indented`)).toEqual([]);
  });

  it('quotes the repeated character in the reason', () => {
    const [finding] = checkSpam({ body: '?'.repeat(12), prose: '?'.repeat(12) });
    expect(finding?.message).toContain('"?"');
  });
});

describe('mention floods', () => {
  const handles = (n: number) => Array.from({ length: n }, (_, i) => `@user${i + 1}`).join(' ');

  it(`allows ${SPAM_LIMITS.maxMentions} people in one message`, () => {
    expect(spam(`hey ${handles(5)}`)).toEqual([]);
  });

  it('refuses a sixth', () => {
    expect(spam(`hey ${handles(6)}`)).toEqual([['spam.mentions', 'block']]);
  });

  it('counts people, not pings', () => {
    expect(spam(`${'@sam '.repeat(20)}`)).toEqual([]);
    expect(spam('@Sam @sam @SAM @sam. @sam, @sam!')).toEqual([]);
  });

  it('does not count e-mail addresses or code', () => {
    expect(spam('a@x.io b@x.io c@x.io d@x.io e@x.io f@x.io g@x.io')).toEqual([]);
    expect(spam('```\n@Component @Input @Output @Injectable @NgModule @HostListener\n```')).toEqual([]);
  });

  it('says how many people a message may mention', () => {
    const [finding] = checkSpam({ body: handles(7), prose: handles(7) });
    expect(finding?.message).toBe(
      'This message mentions more than 5 people; you can mention at most 5 people in one message.',
    );
  });
});

describe('emoji and blank-line floods', () => {
  it('flags more than 30 emoji', () => {
    const mixed = ['🎨', '🔥', '✨', '🚀', '👍🏽'];
    const emoji = (n: number) => Array.from({ length: n }, (_, i) => mixed[i % mixed.length]).join(' ');
    expect(spam(emoji(30))).toEqual([]);
    expect(spam(emoji(31))).toEqual([['spam.emoji', 'flag']]);
  });

  it('flags five or more empty lines in a row', () => {
    expect(spam(`top${'\n'.repeat(5)}bottom`)).toEqual([]); // four empty lines
    expect(spam(`top${'\n'.repeat(6)}bottom`)).toEqual([['spam.blank_lines', 'flag']]);
    expect(spam(`top\n \n\t\n\r\n \n \nbottom`)).toEqual([['spam.blank_lines', 'flag']]);
  });

  it('allows blank lines inside a code block', () => {
    expect(spam(`\`\`\`\nfirst()${'\n'.repeat(8)}second()\n\`\`\``)).toEqual([]);
  });
});

describe('ordinary messages', () => {
  it.each([
    '',
    '   ',
    'hey, how is everyone?',
    'Thanks! That fixed it :)',
    'I love the NASA photos',
    'email me at sam@example.com',
  ])('%j trips nothing', (body) => {
    expect(spam(body)).toEqual([]);
  });
});
