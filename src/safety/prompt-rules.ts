import { AppError } from '../domain/app-error.ts';

/**
 * The operator's prompt rules. One rule per line:
 *
 *     # comment
 *     weapons: assault rifle          ← a named plain word or phrase
 *     gore: /dismember(ed|ment)?/     ← a named regular expression
 *     forbidden phrase                ← unnamed: the rule is named after its phrase
 *
 * Prompts and patterns are compared after {@link foldText} (NFKD, combining marks removed,
 * lower case, runs of white space made one space), so `Café`, `CAFE` and `cafe` are one word. A
 * plain pattern matches whole words only (`ass` does not match `class`); a `/regex/` is matched
 * as written against the folded prompt (the `i` and `u` flags are implied).
 */
export interface PromptRule {
  readonly name: string;
  readonly matcher: RegExp;
}

const namedLine = /^([\p{L}\p{N}_.-]+)\s*:\s*(.+)$/u;
const regexLine = /^\/(.+)\/([a-z]*)$/s;
/** A word character for the boundaries of plain patterns: any letter, digit or underscore. */
const wordCharacter = '[\\p{L}\\p{N}_]';

/**
 * Case- and accent-insensitive form of a text: compatibility decomposition (NFKD turns `ﬁ` into
 * `fi`, full-width letters into ASCII, `é` into `e` + a combining mark), combining marks dropped,
 * lower-cased, white space collapsed.
 */
export function foldText(text: string): string {
  return text.normalize('NFKD').replace(/\p{M}/gu, '').toLowerCase().replace(/\s+/gu, ' ').trim();
}

/**
 * Parses rule text (the rules file, or REELGATE_SAFETY_PROMPT_RULES). Throws an Error naming the
 * source and line of the first bad rule; config turns it into the one-line start-up error.
 */
export function parsePromptRules(text: string, source: string): PromptRule[] {
  const rules: PromptRule[] = [];
  text.split(/\r?\n/).forEach((rawLine, index) => {
    const line = rawLine.trim();
    if (line === '' || line.startsWith('#')) return;
    const named = regexLine.test(line) ? null : namedLine.exec(line);
    const name = named?.[1] ?? line;
    const pattern = (named?.[2] ?? line).trim();
    try {
      rules.push({ name, matcher: compilePattern(pattern) });
    } catch (error) {
      throw new Error(`${source} line ${index + 1}: ${(error as Error).message}`, { cause: error });
    }
  });
  return rules;
}

function compilePattern(pattern: string): RegExp {
  const regex = regexLine.exec(pattern);
  if (regex !== null) {
    const [, source = '', flags = ''] = regex;
    const allowed = [...new Set(`${flags.replace(/[gyd]/g, '')}iu`)].join('');
    // Folding the source too lets an operator write accented patterns (`/café/` matches `cafe`).
    return new RegExp(foldText(source), allowed);
  }
  const phrase = foldText(pattern);
  if (phrase === '') throw new Error('the pattern is empty');
  const body = phrase
    .split(' ')
    .map((word) => word.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&'))
    .join('\\s+');
  return new RegExp(`(?<!${wordCharacter})${body}(?!${wordCharacter})`, 'iu');
}

/** Screens prompts against the operator's rules. */
export class PromptScreen {
  readonly rules: readonly PromptRule[];

  constructor(rules: readonly PromptRule[]) {
    this.rules = rules;
  }

  /** The first rule that matches `text`, if any. */
  match(text: string): PromptRule | undefined {
    const folded = foldText(text);
    return this.rules.find((rule) => rule.matcher.test(folded));
  }

  /**
   * Throws `content_policy_violation` (stage `prompt`) when the prompt matches a rule. The message
   * names that one rule, never the list, so clients cannot read the operator's rules back.
   */
  check(prompt: string): void {
    const rule = this.match(prompt);
    if (rule === undefined) return;
    throw new AppError(
      'content_policy_violation',
      `blocked by the content policy at stage prompt: the prompt matches the rule "${rule.name}"`,
      { field: 'prompt' },
    );
  }
}
