// What a task process needs from core, without the zod schemas (config, API contracts) that the
// main entry also carries: importing zod costs a task process ~80 ms at start, on every attempt.
export * from './config/duration.ts';
export * from './dag/asset-condition.ts';
export * from './dag/asset-event.ts';
export * from './dag/serialized-dag.ts';
export * from './deferral/deferral-value.ts';
export * from './deferral/deferral-wait.ts';
export * from './errors.ts';
export * from './execution/supervisor-protocol.ts';
export * from './execution/watcher-process-protocol.ts';
export * from './ids/uuid-v7.ts';
export * from './state-store/advance-order.ts';
export * from './state-store/json-depth-rule.ts';
export * from './state-store/state-backend.ts';
export * from './state-store/state-key-rules.ts';
export * from './state-store/state-scope.ts';
export * from './state-store/state-value-rules.ts';
export * from './state-store/state-writer.ts';
export * from './task-instance/task-instance-state.ts';
export * from './version.ts';
