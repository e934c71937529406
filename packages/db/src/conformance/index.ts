export * from './state-backend-conformance.ts';
