#!/usr/bin/env node
// ARCHITECTURE.md: a newcomer finds where a TI changes state from the folder names alone. Every
// write of `state` on `task_instance` or `dag_run` lives in packages/db/src/transitions/, guarded
// by core's transition tables. Fails when any other source file updates that column. Test-only
// files (*.test.ts, fixtures/, testing/, *-test-kit.ts) may seed any state: they set up a world,
// they do not move one. Inserts are creations, not transitions, and are not checked.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, sep } from 'node:path';

const TRANSITIONS_FOLDER = join('packages', 'db', 'src', 'transitions') + sep;
const GUARDED_TABLES = ['task_instance', 'dag_run'];

const problems = [];
for (const name of readdirSync('packages')) {
  for (const file of sourceFiles(join('packages', name, 'src'))) {
    if (file.startsWith(TRANSITIONS_FOLDER) || isTestOnly(file)) continue;
    for (const write of stateWrites(readFileSync(file, 'utf8'))) problems.push(`${file}:${write}`);
  }
}

if (problems.length > 0) {
  console.error(
    `state written outside ${TRANSITIONS_FOLDER} (add a guarded transition there instead):\n  ${problems.join('\n  ')}`,
  );
  process.exit(1);
}
console.log('state writes ok');

/** Line numbers and tables of the UPDATEs (Kysely or raw SQL) that set `state` on a guarded table. */
function* stateWrites(text) {
  const tables = GUARDED_TABLES.join('|');
  const kysely = new RegExp(`updateTable\\(\\s*['"\`](${tables})(?:\\s+as\\s+\\w+)?['"\`]\\s*\\)`, 'g');
  for (const match of text.matchAll(kysely)) {
    const statement = text.slice(match.index, statementEnd(text, match.index));
    if (setsState(statement)) yield `${lineOf(text, match.index)} (${match[1]})`;
  }
  const raw = new RegExp(`\\bupdate\\s+"?(${tables})"?\\b[^;\`]*?\\bset\\b[^;\`]*?\\bstate\\b\\s*=`, 'gi');
  for (const match of text.matchAll(raw)) yield `${lineOf(text, match.index)} (${match[1]}, raw SQL)`;
}

/** `.set({ state: … })`, `.set({ state, … })` or `.set('state', …)`; a `.where('state', …)` is a read. */
function setsState(statement) {
  for (const [, assignments] of statement.matchAll(/\.set\(([\s\S]*?)\)\s*\.(?:where|returning|execute)/g)) {
    if (/(?:^|[{,(]\s*)state\s*[:,}]|^\s*['"]state['"]/m.test(assignments)) return true;
  }
  return false;
}

function statementEnd(text, from) {
  const end = text.slice(from).search(/\.execute\w*\(|;/);
  return end === -1 ? text.length : from + end;
}

function lineOf(text, index) {
  return text.slice(0, index).split('\n').length;
}

function isTestOnly(file) {
  return /\.test\.tsx?$/.test(file) || /-test-kit\.ts$/.test(file) || /[\\/](fixtures|testing)[\\/]/.test(file);
}

function* sourceFiles(folder) {
  for (const entry of readdirSync(folder)) {
    const path = join(folder, entry);
    if (entry === 'node_modules') continue;
    if (statSync(path).isDirectory()) yield* sourceFiles(path);
    else if (/\.(ts|tsx|mjs)$/.test(entry)) yield path;
  }
}
