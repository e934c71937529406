export * from './dialect/database-url.ts';
export * from './migrations/migrator.ts';
export * from './open-database.ts';
export * from './repositories/asset-repository.ts';
export * from './repositories/dag-repository.ts';
export * from './repositories/dag-run-repository.ts';
export type * from './schema/database-schema.ts';
export * from './state/metastore-state-backend.ts';
export * from './write-transaction.ts';
