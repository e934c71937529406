import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { MOCKING_MODULES } from './mocking-modules.ts';

/** Every `*.test.ts` under the packages' sources, as paths from the repository's root. */
function packageTestFiles(): string[] {
  return readdirSync('packages', { recursive: true, encoding: 'utf8' })
    .filter((path) => path.endsWith('.test.ts') && path.split('/')[1] === 'src')
    .map((path) => join('packages', path));
}

it('lists every package test file that mocks a module, so that it runs in a process of its own', () => {
  const mocking = packageTestFiles().filter((file) => /\bvi\.(do)?mock\(/.test(readFileSync(file, 'utf8')));
  expect(mocking.sort()).toEqual([...MOCKING_MODULES].sort());
});
