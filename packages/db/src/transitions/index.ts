export * from './dag-run-transitions.ts';
export * from './task-instance-transitions.ts';
