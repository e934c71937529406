import { AssetNotFoundError, type SerializedTask } from '@tidemark/core';
import type { Db } from '@tidemark/db';
import { RequestValidationError, UndeclaredAssetError } from '../errors.ts';

export interface ResolvedAsset {
  readonly id: number;
  readonly name: string;
  readonly uri: string;
}

/**
 * SPEC §4: the active asset named by `?name=` (by-name) or `?uri=` (by-uri) — 404 `asset_not_found`
 * when no DAG declares it — which must be an inlet or outlet of the TI's task in its serialized DAG,
 * else 403 `undeclared_asset` naming the assets the task does declare.
 */
export async function resolveDeclaredAsset(
  db: Db,
  request: {
    readonly by: 'name' | 'uri';
    readonly value: string | undefined;
    readonly task: SerializedTask | undefined;
    readonly taskId: string;
  },
): Promise<ResolvedAsset> {
  const { by, value } = request;
  if (value === undefined) throw new RequestValidationError(`invalid request query: ${by}: required`);
  const asset = await db
    .selectFrom('asset_active')
    .innerJoin('asset', (join) =>
      join.onRef('asset.name', '=', 'asset_active.name').onRef('asset.uri', '=', 'asset_active.uri'),
    )
    .select(['asset.id as id', 'asset.name as name', 'asset.uri as uri'])
    .where(`asset_active.${by}`, '=', value)
    .executeTakeFirst();
  if (!asset) throw new AssetNotFoundError(`with ${by} "${value}" (it is unknown, or no DAG declares it any more)`);
  const declared = [...(request.task?.inlets ?? []), ...(request.task?.outlets ?? [])];
  const isDeclared = declared.some(
    (reference) => reference.name === asset.name && (reference.uri ?? reference.name) === asset.uri,
  );
  if (!isDeclared) {
    throw new UndeclaredAssetError(
      request.taskId,
      `"${value}"`,
      declared.map((reference) => reference.name),
    );
  }
  return { id: Number(asset.id), name: asset.name, uri: asset.uri };
}
