import { initialSchema } from './0001-initial-schema.ts';
import { runtimeSchema } from './0002-runtime.ts';
import { stateGcSchema } from './0003-state-gc.ts';
import { assetSchedulingSchema } from './0004-asset-scheduling.ts';
import { assetWatchersSchema } from './0005-asset-watchers.ts';
import { dagStateSchema } from './0006-dag-state.ts';
import { taskInstanceTriesSchema } from './0007-task-instance-tries.ts';
import { taskDeferralsSchema } from './0008-task-deferrals.ts';
import { leanStateHistorySchema } from './0009-lean-state-history.ts';
import { dagSerializedHashSchema } from './0010-dag-serialized-hash.ts';
import type { TidemarkMigration } from './migration.ts';

/** Every migration this version of Tidemark knows, in order. Append; never edit a released one. */
export const MIGRATIONS: readonly TidemarkMigration[] = [
  initialSchema,
  runtimeSchema,
  stateGcSchema,
  assetSchedulingSchema,
  assetWatchersSchema,
  dagStateSchema,
  taskInstanceTriesSchema,
  taskDeferralsSchema,
  leanStateHistorySchema,
  dagSerializedHashSchema,
];
