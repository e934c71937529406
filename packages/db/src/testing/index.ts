export * from './describe-each-dialect.ts';
export * from './free-port.ts';
export * from './manual-clock.ts';
export * from './postgres-test-server.ts';
export * from './serialized-dag-fixtures.ts';
export * from './test-database.ts';
export * from './wait-for-lock-waiter.ts';
export * from './wait-until.ts';
