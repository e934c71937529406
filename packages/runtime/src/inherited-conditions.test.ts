import { describe, expect, it } from 'vitest';
import { inheritedConditionArgs } from './inherited-conditions.ts';

describe('inheritedConditionArgs', () => {
  it('keeps every --conditions in each of its spellings, and nothing else', () => {
    expect(
      inheritedConditionArgs([
        '--conditions=tidemark-built',
        '--max-old-space-size=512',
        '-C',
        'development',
        '--import',
        'tsx',
        '--conditions',
        'edge',
      ]),
    ).toEqual(['--conditions=tidemark-built', '--conditions=development', '--conditions=edge']);
  });

  it('gives nothing for a process started without conditions, or with a dangling flag', () => {
    expect(inheritedConditionArgs(['--import', 'tsx'])).toEqual([]);
    expect(inheritedConditionArgs(['-C'])).toEqual([]);
  });
});
