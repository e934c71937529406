export { startTriggerer, type Triggerer, type TriggererOptions, type TriggererStopOptions } from './triggerer.ts';
export { newTriggererId } from './triggerer-id.ts';
export type { IdlePoll } from './watcher-poll-scheduler.ts';
export type { PollEnd } from './watcher-process-host.ts';
