export * from './dag-processor/index.ts';
export * from './logging/create-logger.ts';
export * from './offload/index.ts';
export * from './scheduler/cron-schedule.ts';
export * from './scheduler/scheduler.ts';
export * from './scheduler/task-instance-decisions.ts';
export * from './state-gc/index.ts';
export * from './worker/index.ts';
