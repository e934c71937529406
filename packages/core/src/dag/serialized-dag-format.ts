import { z } from 'zod';
import { SerializedDagError } from '../errors.ts';
import type { AssetCondition } from './asset-condition.ts';
import type { SerializedDag } from './serialized-dag.ts';

/**
 * The one way a serialized DAG is written to and read from the database (`dag.serialized`): JSON
 * of the `SerializedDag` with a `formatVersion`. Every reader goes through `parseStoredDag`, which
 * checks the version and the shape, so a DAG written by another Tidemark version fails with a
 * SerializedDagError naming it instead of being misread. Text stored before the version existed
 * (no `formatVersion`) is version 1: the shape did not change when the field was added.
 */

export const SERIALIZED_DAG_FORMAT_VERSION = 1;

const assetReferenceSchema = z.looseObject({ name: z.string(), uri: z.string() });

const serializedTaskSchema = z.looseObject({
  taskId: z.string(),
  upstreamTaskIds: z.array(z.string()),
  mapOver: z.string().nullable(),
  retries: z.number(),
  retryDelayMs: z.number(),
  retryExponentialBackoff: z.boolean(),
  maxRetryDelayMs: z.number().nullable(),
  executionTimeoutMs: z.number().nullable(),
  inlets: z.array(assetReferenceSchema),
  outlets: z.array(assetReferenceSchema),
});

const assetConditionSchema: z.ZodType<AssetCondition> = z.lazy(() =>
  z.union([
    z.object({ kind: z.literal('asset'), name: z.string(), uri: z.string() }),
    z.object({ kind: z.enum(['all', 'any']), of: z.array(assetConditionSchema) }),
  ]),
);

/** Loose: fields a newer writer adds within the same format version are kept, not refused. */
export const serializedDagSchema = z.looseObject({
  dagId: z.string(),
  fileloc: z.string(),
  schedule: z.string().nullable(),
  /** Absent in DAGs stored before data-aware scheduling: not scheduled on assets. */
  assetCondition: assetConditionSchema.nullable().optional(),
  startDate: z.number().nullable(),
  catchup: z.boolean(),
  description: z.string().nullable(),
  tags: z.array(z.string()),
  tasks: z.array(serializedTaskSchema),
  /** Absent in DAGs stored before watchers: none. */
  watchers: z.array(z.looseObject({ name: z.string(), asset: assetReferenceSchema, everyMs: z.number() })).optional(),
});

/** The text stored for `dag`. */
export function serializeStoredDag(dag: SerializedDag): string {
  return JSON.stringify({ formatVersion: SERIALIZED_DAG_FORMAT_VERSION, ...dag });
}

/**
 * The DAG stored as `text`. `dagId` (when the caller knows it) names the DAG in the error.
 * Throws SerializedDagError when the text is not JSON, has another format version, or is not the
 * shape of a serialized DAG.
 */
export function parseStoredDag(text: string, dagId?: string): SerializedDag {
  const stored = parseJson(text, dagId);
  const version = isRecord(stored) ? stored.formatVersion : undefined;
  if (version !== undefined && version !== SERIALIZED_DAG_FORMAT_VERSION) {
    throw new SerializedDagError(
      'unknown_format_version',
      `${describe(stored, dagId)} is stored in serialized format version ${JSON.stringify(version)}, and this ` +
        `Tidemark reads version ${SERIALIZED_DAG_FORMAT_VERSION}; run the same Tidemark version for the ` +
        'api-server, scheduler and DAG processor, and let the DAG processor parse the file again',
      { format_version: version, supported_format_version: SERIALIZED_DAG_FORMAT_VERSION },
    );
  }
  const parsed = serializedDagSchema.safeParse(stored);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue && issue.path.length > 0 ? ` at ${issue.path.join('.')}` : '';
    throw new SerializedDagError(
      'malformed',
      `${describe(stored, dagId)} is not a serialized DAG (${issue?.message ?? 'wrong shape'}${where}); ` +
        'let the DAG processor parse its file again',
    );
  }
  const { formatVersion: _version, ...dag } = parsed.data;
  return dag as SerializedDag;
}

function parseJson(text: string, dagId: string | undefined): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new SerializedDagError(
      'not_json',
      `${describe(undefined, dagId)} is not JSON (${(error as Error).message}); let the DAG processor parse its file again`,
    );
  }
}

function describe(stored: unknown, dagId: string | undefined): string {
  const id = dagId ?? (isRecord(stored) && typeof stored.dagId === 'string' ? stored.dagId : undefined);
  return id === undefined ? 'a stored DAG' : `the stored DAG "${id}"`;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
