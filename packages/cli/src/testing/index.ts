export * from './run-tidemark.ts';
export * from './tidemark-cluster.ts';
export * from './tidemark-process.ts';
