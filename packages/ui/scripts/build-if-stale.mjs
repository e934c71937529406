#!/usr/bin/env node
// Builds the web UI (vite build → packages/ui/dist) unless the build is newer than every source
// file. `npm start` runs it first (prestart) and the UI tests once before they start; when nothing
// changed it only compares file times. A failed build stops only with --strict (the tests): Tidemark
// itself starts anyway, and its page at / says how to build the UI. --force builds in any case
// (`npm run build:ui`).
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const UI = join(import.meta.dirname, '..');
const BUILT = join(UI, 'dist', 'index.html');
const INPUTS = [join(UI, 'src'), join(UI, 'index.html'), join(UI, 'vite.config.ts'), join(UI, 'package.json')];

function newestChange(path) {
  const stats = statSync(path);
  if (!stats.isDirectory()) return stats.mtimeMs;
  return Math.max(stats.mtimeMs, ...readdirSync(path).map((entry) => newestChange(join(path, entry))));
}

const builtAt = existsSync(BUILT) ? statSync(BUILT).mtimeMs : -1;
const forced = process.argv.includes('--force');
if (forced || builtAt < 0 || Math.max(...INPUTS.map(newestChange)) > builtAt) {
  process.stdout.write('Building the web UI (packages/ui → packages/ui/dist)…\n');
  const vite = join(dirname(createRequire(join(UI, 'package.json')).resolve('vite/package.json')), 'bin', 'vite.js');
  // React's production build, whatever NODE_ENV the caller has (vitest sets "test").
  const env = { ...process.env, NODE_ENV: 'production' };
  const build = spawnSync(process.execPath, [vite, 'build', UI], { stdio: 'inherit', env });
  if (build.status !== 0) {
    process.stderr.write('tidemark: building the web UI failed (see above); the API works without it\n');
    if (process.argv.includes('--strict')) process.exit(build.status ?? 1);
  }
}
