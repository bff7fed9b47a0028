import type { EnglishProfaneWord } from 'obscenity';
import type { Severity } from './types.ts';

/**
 * How hard Layer 1 reacts to each word of obscenity's English dataset.
 *
 * block: words whose only realistic use in a community chat is to demean someone or to be sexually
 *   explicit, so no rewording by a moderator could make the message fine: slurs against race,
 *   ethnicity, sexuality, gender identity or disability; the strongest profanity (the top tier in
 *   Ofcom's 2021 research on offensive language); gendered sexual insults; and slang for sex acts.
 * flag: everything whose meaning depends on context, so a human should look before anything is
 *   taken down: everyday swearing ("shit", "bastard"), body and clinical words that come up in
 *   health or art discussion ("penis", "sex"), topic words people need to be able to discuss
 *   ("rape", "incest", "porn"), and words that are ordinary in another language or sense
 *   ("negro" is Spanish and Portuguese for black; "dyke" is also an embankment and a reclaimed word).
 *
 * Typed against the dataset's own word list, so a new obscenity release that adds a word fails the
 * typecheck until someone decides its severity here.
 */
export const DATASET_SEVERITY: Record<EnglishProfaneWord, Severity> = {
  // Slurs.
  abeed: 'block',
  abo: 'block',
  africoon: 'block',
  arabush: 'block',
  boonga: 'block',
  chingchong: 'block',
  chink: 'block',
  fag: 'block',
  kike: 'block',
  nigger: 'block',
  retard: 'block',
  spastic: 'block',
  tranny: 'block',
  // Strongest profanity and gendered sexual insults.
  fuck: 'block',
  cunt: 'block',
  whore: 'block',
  slut: 'block',
  // Slang for sex acts.
  blowjob: 'block',
  buttplug: 'block',
  cum: 'block',
  deepthroat: 'block',
  doggystyle: 'block',
  'double penetration': 'block',
  'finger bang': 'block',
  felch: 'block',
  fisting: 'block',
  gangbang: 'block',
  handjob: 'block',
  'jerk off': 'block',
  jizz: 'block',
  lubejob: 'block',
  // Everyday swearing and insults.
  arse: 'flag',
  ass: 'flag',
  bastard: 'flag',
  bitch: 'flag',
  bollocks: 'flag',
  cock: 'flag',
  cuck: 'flag',
  dick: 'flag',
  piss: 'flag',
  prick: 'flag',
  pussy: 'flag',
  shit: 'flag',
  turd: 'flag',
  twat: 'flag',
  wank: 'flag',
  // Body, clinical and topic words.
  anal: 'flag',
  anus: 'flag',
  bestiality: 'flag',
  boob: 'flag',
  dildo: 'flag',
  ejaculate: 'flag',
  fellatio: 'flag',
  hentai: 'flag',
  hooker: 'flag',
  incest: 'flag',
  masturbate: 'flag',
  orgasm: 'flag',
  orgy: 'flag',
  penis: 'flag',
  porn: 'flag',
  rape: 'flag',
  scat: 'flag',
  semen: 'flag',
  sex: 'flag',
  tit: 'flag',
  vagina: 'flag',
  // Ordinary in another language or sense.
  dyke: 'flag',
  negro: 'flag',
};

/**
 * Single dataset patterns that need a different answer than their word, keyed by the regular
 * expression source the pattern compiles to (see compilePattern in profanity.ts).
 *
 * - `|fu|` stands for "fuck" but is also a surname and half of "kung fu": a moderator should judge it.
 * - `|prn|` stands for "porn" but is also the medical "as needed" and the DOS printer device.
 * - `|fk` stands for "fuck" but "FK" is how the coding rooms say foreign key (fk_user_id, "add an
 *   FK"); flagging every schema question would bury moderators, and "fk you" still reaches Layer 2's
 *   harassment score.
 */
export const PATTERN_OVERRIDES: ReadonlyMap<string, Severity | 'off'> = new Map([
  ['\\bfu\\b', 'flag'],
  ['\\bprn\\b', 'flag'],
  ['\\bfk', 'off'],
]);

/**
 * Everyday words the English dataset would otherwise match, found by running it over common
 * vocabulary, place names and the jargon of this community's rooms (coding, AI art, cooking in
 * general chat). Whitelisted terms only excuse matches that lie wholly inside them, so "cumin" does
 * not excuse a slur typed next to it.
 */
export const EXTRA_SAFE_TERMS: readonly string[] = [
  // Food and nature.
  'shiitake',
  'cumin',
  'rapeseed',
  'fagioli',
  'blue tit',
  'great tit',
  'coal tit',
  // Places and people.
  'scunthorpe',
  'penistone',
  'dickinson',
  'cummings',
  'pissarro',
  'assyria',
  // Idioms and Latin.
  'cum laude',
  'tit for tat',
  'chink in',
  'chinks in',
  // Technical and medical vocabulary.
  'cumsum',
  'cumprod',
  'cumcount',
  'cockpit',
  'retardant',
  'retardation',
  'spasticity',
  'abo blood',
  'assort',
  'asson',
  'annals',
  'wankel',
  // Obscenity reads "/" as a leetspeak "l", so paths like "./analysis" and "/analytics" fold to "lanal…".
  '/analy',
  // Found by running the filter over a dictionary (Debian's wamerican, 74,744 words): words it refused
  // outright ("trafficking", "feckless", a cummerbund) or sent for review ("rapped", "analgesic").
  'traffick',
  'feckless',
  'fukuoka',
  'fukuyama',
  'cummerbund',
  'cumquat',
  'fagin',
  'analges',
  'analects',
  'rapped',
  'asst',
  'assn',
  'cocksure',
  'cockscomb',
  'dickson',
  'dickerson',
  'dicker',
  'chappaquiddick',
  'coriolanus',
  'oceanus',
  'eridanus',
  'gondwana',
  'vandyke',
  'pissaro',
  'pussycat',
  'pussyfoot',
  'pussy willow',
  'booby trap',
  'booby-trap',
  'booby prize',
  'moby dick',
];
