#!/usr/bin/env node
// ARCHITECTURE.md: core ← db ← {runtime, server} ← cli; sdk → core only; ui → core only.
// Fails when a package declares or imports a workspace package it may not depend on. Test-only
// files (*.test.ts, fixtures/, testing/) may also import the package's devDependencies, so that a
// test can stand up the real api-server without the runtime depending on it.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, resolve, sep } from 'node:path';

const ALLOWED = {
  core: [],
  db: ['core'],
  runtime: ['core', 'db', 'sdk'],
  server: ['core', 'db'],
  sdk: ['core'],
  cli: ['core', 'db', 'runtime', 'server', 'sdk'],
  ui: ['core'],
};

const problems = [];
for (const name of readdirSync('packages')) {
  const allowed = ALLOWED[name];
  if (!allowed) {
    problems.push(`packages/${name} is not in the dependency map of test/check-package-boundaries.mjs`);
    continue;
  }
  const manifest = JSON.parse(readFileSync(join('packages', name, 'package.json'), 'utf8'));
  const workspaceDeps = (deps) =>
    Object.keys(deps ?? {})
      .filter((dep) => dep.startsWith('@tidemark/'))
      .map((dep) => dep.slice('@tidemark/'.length));
  const declared = workspaceDeps(manifest.dependencies);
  const forTests = [...declared, ...workspaceDeps(manifest.devDependencies)];
  for (const dep of declared) {
    if (!allowed.includes(dep)) problems.push(`@tidemark/${name} must not depend on @tidemark/${dep}`);
  }
  for (const file of sourceFiles(join('packages', name, 'src'))) {
    const usable = isTestOnly(file) ? forTests : declared;
    for (const [, dep] of readFileSync(file, 'utf8').matchAll(/from '@tidemark\/([a-z]+)[^']*'/g)) {
      if (dep !== name && !usable.includes(dep)) {
        problems.push(`${file} imports @tidemark/${dep}, which @tidemark/${name} does not declare or may not use`);
      }
    }
  }
}
// A relative import may not leave its package: cross-package imports name the package. Only
// import/export-from specifiers count; a runtime file path (new URL('../…')) is not an import.
for (const name of readdirSync('packages')) {
  const root = resolve('packages', name);
  for (const file of sourceFiles(join('packages', name, 'src'))) {
    for (const [, relative] of readFileSync(file, 'utf8').matchAll(/(?:\bfrom|\bimport\(?)\s*'(\.[^']+)'/g)) {
      const target = resolve(dirname(file), relative);
      if (!target.startsWith(root + sep)) {
        problems.push(`${file} imports '${relative}', outside packages/${name}; import it through its package name`);
      }
    }
  }
}
// Task processes start once per attempt: what they load must stay free of zod (~80 ms per start).
for (const file of sourceFiles(join('packages', 'sdk', 'src'))) {
  if (!isTestOnly(file) && /from '@tidemark\/core'/.test(readFileSync(file, 'utf8'))) {
    problems.push(`${file} imports '@tidemark/core'; the SDK imports '@tidemark/core/task-process' (no zod)`);
  }
}
for (const file of localImportClosure(join('packages', 'core', 'src', 'task-process.ts'))) {
  if (/from 'zod'/.test(readFileSync(file, 'utf8'))) {
    problems.push(`${file} imports zod but is reachable from @tidemark/core/task-process`);
  }
}
// Core is the domain only (ARCHITECTURE.md): no files, network, processes or environment.
for (const file of sourceFiles(join('packages', 'core', 'src'))) {
  if (isTestOnly(file)) continue;
  const text = readFileSync(file, 'utf8');
  for (const [io] of text.matchAll(
    /from 'node:(fs|fs\/promises|net|http|https|child_process|os)'|process\.(env|cwd)\b/g,
  )) {
    problems.push(`${file} uses ${io}; core does no I/O: read files and the environment in cli, runtime or server`);
  }
}

if (problems.length > 0) {
  console.error(`package boundaries broken:\n  ${problems.join('\n  ')}`);
  process.exit(1);
}
console.log('package boundaries ok');

function localImportClosure(entry) {
  const seen = new Set();
  const pending = [entry];
  while (pending.length > 0) {
    const file = pending.pop();
    if (seen.has(file)) continue;
    seen.add(file);
    for (const [, relative] of readFileSync(file, 'utf8').matchAll(/from '(\.[^']+)'/g)) {
      pending.push(join(dirname(file), relative));
    }
  }
  return seen;
}

function isTestOnly(file) {
  return /\.test\.ts$/.test(file) || /[\\/](fixtures|testing)[\\/]/.test(file);
}

function* sourceFiles(folder) {
  for (const entry of readdirSync(folder)) {
    const path = join(folder, entry);
    if (statSync(path).isDirectory()) yield* sourceFiles(path);
    else if (/\.(ts|tsx|mjs)$/.test(entry)) yield path;
  }
}
