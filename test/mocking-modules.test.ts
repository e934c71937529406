import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { MOCKING_MODULES } from './mocking-modules.ts';

/** Every test file of the packages' sources and of `test/`, as paths from the repository's root. */
function testFiles(): string[] {
  const inPackages = readdirSync('packages', { recursive: true, encoding: 'utf8' })
    .filter((path) => path.endsWith('.test.ts') && path.split('/')[1] === 'src')
    .map((path) => join('packages', path));
  const inTest = readdirSync('test', { recursive: true, encoding: 'utf8' })
    .filter((path) => path.endsWith('.test.ts'))
    .map((path) => join('test', path));
  return [...inPackages, ...inTest];
}

it('lists every test file that mocks a module, so that it runs in a process of its own', () => {
  const mocking = testFiles().filter((file) => /\bvi\.(do)?mock\(/.test(readFileSync(file, 'utf8')));
  expect(mocking.sort()).toEqual([...MOCKING_MODULES].sort());
});
