export * from '../state-gc/testing/expired-state-load.ts';
