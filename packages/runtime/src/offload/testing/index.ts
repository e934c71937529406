export * from './offload-store-conformance.ts';
export * from './s3-test-server.ts';
