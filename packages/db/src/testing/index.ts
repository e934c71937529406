export * from './describe-each-dialect.ts';
export * from './manual-clock.ts';
export * from './postgres-test-server.ts';
export * from './test-database.ts';
