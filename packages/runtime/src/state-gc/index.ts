export * from './offload-sweeps.ts';
export * from './run-state-gc.ts';
export * from './state-gc-loop.ts';
