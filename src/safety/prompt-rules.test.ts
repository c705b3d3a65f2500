import { describe, expect, it } from 'vitest';
import { AppError } from '../domain/app-error.ts';
import { foldText, parsePromptRules, PromptScreen } from './prompt-rules.ts';

const rules = parsePromptRules(
  [
    '# operator rules',
    '',
    'weapons: assault rifle',
    'gore: /dismember(ed|ment)?/',
    'cafe-rule: café noir',
    'naïve',
  ].join('\n'),
  'test rules',
);
const screen = new PromptScreen(rules);

describe('foldText', () => {
  it('drops accents and case and compatibility forms, and collapses white space', () => {
    expect(foldText('Crème  BRÛLÉE\tﬁne Ｗide')).toBe('creme brulee fine wide');
  });
});

describe('prompt rules', () => {
  it('reads named plain and regex rules, skipping blanks and comments; an unnamed rule is named after its phrase', () => {
    expect(rules.map((rule) => rule.name)).toEqual(['weapons', 'gore', 'cafe-rule', 'naïve']);
  });

  it('matches accent- and case-insensitively in both directions', () => {
    expect(screen.match('a CAFE NOIR at midnight')?.name).toBe('cafe-rule');
    expect(screen.match('un Café   Noir, s’il vous plaît')?.name).toBe('cafe-rule');
    expect(screen.match('a NAIVE painting')?.name).toBe('naïve');
    expect(screen.match('an Assault Rífle on a table')?.name).toBe('weapons');
  });

  it('matches plain phrases on whole words only', () => {
    expect(screen.match('the cafe noirish mood')).toBeUndefined();
    expect(screen.match('assault rifles')).toBeUndefined();
    expect(screen.match('a quiet harbour at dawn')).toBeUndefined();
  });

  it('runs regex rules on the folded prompt', () => {
    expect(screen.match('a DISMEMBERED statue')?.name).toBe('gore');
    expect(screen.match('Dismemberment')?.name).toBe('gore');
  });

  it('rejects with content_policy_violation naming the one rule, never the list', () => {
    let thrown: unknown;
    try {
      screen.check('a dismembered doll beside an assault rifle');
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(AppError);
    const error = thrown as AppError;
    expect(error.code).toBe('content_policy_violation');
    expect(error.status).toBe(400);
    expect(error.field).toBe('prompt');
    expect(error.message).toBe(
      'blocked by the content policy at stage prompt: the prompt matches the rule "weapons"',
    );
    expect(error.message).not.toContain('gore');
    expect(() => screen.check('a lighthouse at dusk')).not.toThrow();
  });

  it('names the source and line of a bad rule', () => {
    expect(() => parsePromptRules('fine: word\nbroken: /(unclosed/', 'rules.txt')).toThrow(
      /^rules\.txt line 2: /,
    );
    expect(() => parsePromptRules('accent: \u0301', 'rules.txt')).toThrow(
      'rules.txt line 1: the pattern is empty',
    );
  });
});
