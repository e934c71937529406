export * from './dag-api-harness.ts';
export * from './execution-harness.ts';
export * from './odd-inputs.ts';
export * from './prometheus-text.ts';
export * from './seeded-random.ts';
export * from './task-instance-test-kit.ts';
export * from './watcher-test-kit.ts';
