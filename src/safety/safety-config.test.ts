import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../config.ts';

let folder: string;
beforeAll(async () => {
  folder = await mkdtemp(path.join(tmpdir(), 'reelgate-safety-config-'));
});
afterAll(async () => {
  await rm(folder, { recursive: true, force: true });
});

describe('content-safety configuration', () => {
  it('defaults to flag, counting Porn, Hentai and Sexy at 0.7, one frame a second, no prompt rules', () => {
    const { safety } = loadConfig({});
    expect(safety.policy).toEqual({
      mode: 'flag',
      categories: ['Porn', 'Hentai', 'Sexy'],
      threshold: 0.7,
      frameIntervalSeconds: 1,
    });
    expect(safety.promptRules).toEqual([]);
  });

  it('reads the mode, class names in any case, threshold and interval', () => {
    const { safety } = loadConfig({
      REELGATE_SAFETY: 'block',
      REELGATE_SAFETY_CATEGORIES: 'drawing, PORN ,porn',
      REELGATE_SAFETY_THRESHOLD: '0.35',
      REELGATE_SAFETY_FRAME_INTERVAL_SECONDS: '2.5',
    });
    expect(safety.policy).toEqual({
      mode: 'block',
      categories: ['Drawing', 'Porn'],
      threshold: 0.35,
      frameIntervalSeconds: 2.5,
    });
  });

  it('reads prompt rules from the variable and then from the file', async () => {
    const file = path.join(folder, 'rules.txt');
    await writeFile(file, '# house rules\nweapons: assault rifle\n/gore+/\n');
    const { safety } = loadConfig({
      REELGATE_SAFETY_PROMPT_RULES: 'spam: buy now',
      REELGATE_SAFETY_PROMPT_RULES_FILE: file,
    });
    expect(safety.promptRules.map((rule) => rule.name)).toEqual(['spam', 'weapons', '/gore+/']);
  });

  it.each([
    [{ REELGATE_SAFETY: 'strict' }, 'REELGATE_SAFETY must be off, flag or block'],
    [
      { REELGATE_SAFETY_THRESHOLD: '0' },
      'REELGATE_SAFETY_THRESHOLD must be a number above 0 up to 1, got "0"',
    ],
    [{ REELGATE_SAFETY_THRESHOLD: 'high' }, 'REELGATE_SAFETY_THRESHOLD must be a number above 0 up to 1'],
    [
      { REELGATE_SAFETY_FRAME_INTERVAL_SECONDS: '0.01' },
      'REELGATE_SAFETY_FRAME_INTERVAL_SECONDS must be a number from 0.1 to 60',
    ],
    [{ REELGATE_SAFETY_CATEGORIES: 'Porn,Violence' }, 'unknown class "Violence"'],
    [{ REELGATE_SAFETY_CATEGORIES: ' , ' }, 'REELGATE_SAFETY_CATEGORIES must name at least one class'],
    [{ REELGATE_SAFETY_PROMPT_RULES: 'ok: word\nbad: /[/' }, 'REELGATE_SAFETY_PROMPT_RULES line 2:'],
    [{ REELGATE_SAFETY_PROMPT_RULES_FILE: '/nonexistent/rules.txt' }, 'cannot read /nonexistent/rules.txt'],
  ])('refuses %j with one line naming the variable', (environment, message) => {
    let thrown: unknown;
    try {
      loadConfig(environment);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(ConfigError);
    expect((thrown as ConfigError).message).toContain(message);
    expect((thrown as ConfigError).message).not.toContain('\n');
  });
});
