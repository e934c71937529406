#!/usr/bin/env node
// In this repository the CLI runs from its TypeScript sources through tsx; an installed
// @tidemark/cli has no src/ and runs its built JavaScript (scripts/pack-packages.mjs). Under
// `--conditions=tidemark-built` the packages resolve to their built dist/ (the test setup builds
// it in place), and so does the CLI. DAG files get their TypeScript loader from the runtime either
// way (the parser and task processes).
import { existsSync } from 'node:fs';

const sources = new URL('../src/main.ts', import.meta.url);
let entry = new URL('../dist/main.js', import.meta.url);
const packagesBuilt = import.meta.resolve('@tidemark/cli').endsWith('.js');
if (existsSync(sources) && !packagesBuilt) {
  const { register } = await import('tsx/esm/api');
  register();
  entry = sources;
}
const { main } = await import(entry.href);
process.exitCode = await main(process.argv);
