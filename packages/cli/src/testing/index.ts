export * from './run-tidemark.ts';
export * from './tidemark-process.ts';
