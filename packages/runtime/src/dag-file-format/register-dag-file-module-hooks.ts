// Loaded with `node --import` after tsx, in the DAG parser and in every task process.
import { register } from 'node:module';

register('./dag-file-module-hooks.ts', import.meta.url);
