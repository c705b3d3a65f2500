import { readFileSync } from 'node:fs';
import type { PromptRule } from '../safety/prompt-rules.ts';
import { parsePromptRules } from '../safety/prompt-rules.ts';
import { defaultSafetyCategories, parseSafetyCategories } from '../safety/safety-policy.ts';
import type { Config } from './config-types.ts';
import type { EnvironmentValues } from './environment-schema.ts';
import { ConfigError } from './config-error.ts';

/** The content-safety block: categories by name, and the prompt rules read and compiled once. */
export function safetyConfig(values: EnvironmentValues): Config['safety'] {
  const parsedCategories = parseSafetyCategories(
    values.REELGATE_SAFETY_CATEGORIES ?? defaultSafetyCategories.join(','),
  );
  if ('unknown' in parsedCategories) {
    throw new ConfigError(
      `invalid configuration: REELGATE_SAFETY_CATEGORIES: unknown class "${parsedCategories.unknown}" (classes: Drawing, Hentai, Neutral, Porn, Sexy)`,
    );
  }
  if (parsedCategories.categories.length === 0) {
    throw new ConfigError('invalid configuration: REELGATE_SAFETY_CATEGORIES must name at least one class');
  }
  const promptRules: PromptRule[] = [];
  try {
    if (values.REELGATE_SAFETY_PROMPT_RULES !== undefined) {
      promptRules.push(
        ...parsePromptRules(values.REELGATE_SAFETY_PROMPT_RULES, 'REELGATE_SAFETY_PROMPT_RULES'),
      );
    }
    const file = values.REELGATE_SAFETY_PROMPT_RULES_FILE;
    if (file !== undefined) {
      const text = readRulesFile(file);
      promptRules.push(...parsePromptRules(text, `REELGATE_SAFETY_PROMPT_RULES_FILE ${file}`));
    }
  } catch (error) {
    throw new ConfigError(`invalid configuration: ${(error as Error).message}`);
  }
  return {
    policy: {
      mode: values.REELGATE_SAFETY,
      categories: parsedCategories.categories,
      threshold: values.REELGATE_SAFETY_THRESHOLD,
      frameIntervalSeconds: values.REELGATE_SAFETY_FRAME_INTERVAL_SECONDS,
    },
    promptRules,
  };
}

function readRulesFile(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    throw new Error(`REELGATE_SAFETY_PROMPT_RULES_FILE: cannot read ${file}: ${(error as Error).message}`, {
      cause: error,
    });
  }
}
