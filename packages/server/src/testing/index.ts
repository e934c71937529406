export * from './dag-api-harness.ts';
export * from './execution-harness.ts';
export * from './task-instance-test-kit.ts';
