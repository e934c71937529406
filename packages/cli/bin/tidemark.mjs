#!/usr/bin/env node
// Tidemark ships TypeScript sources; tsx compiles them on the fly (DAG files need it anyway).
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../src/main.ts');
process.exitCode = await main(process.argv);
