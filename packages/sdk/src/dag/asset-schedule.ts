import type { AssetCondition } from '@tidemark/core/task-process';
import { DagDefinitionError } from '../errors.ts';
import { type Asset, carryWatchers, isAsset } from './asset.ts';
import { validateSchedule } from './schedule.ts';

/** An asset, or a condition over assets made with `allOf` / `anyOf`; a list means all of them. */
export type AssetScheduleCondition = Asset | AssetCondition | readonly AssetScheduleCondition[];

/**
 * What `schedule` accepts: a cron expression or preset, an asset condition (a run when it holds
 * over the events queued since the last asset-triggered run), both (`{cron, assets}`: either one
 * makes a run), or null for runs made by hand only.
 */
export type DagSchedule =
  | string
  | null
  | AssetScheduleCondition
  | { readonly cron: string; readonly assets: AssetScheduleCondition };

export interface ParsedDagSchedule {
  readonly cron: string | null;
  readonly assetCondition: AssetCondition | null;
}

/** A run when every one of the conditions holds. */
export function allOf(...conditions: AssetScheduleCondition[]): AssetCondition {
  return Object.freeze({ kind: 'all', of: Object.freeze(conditions.map((part) => toCondition(part, 'allOf(…)'))) });
}

/** A run when any one of the conditions holds. */
export function anyOf(...conditions: AssetScheduleCondition[]): AssetCondition {
  return Object.freeze({ kind: 'any', of: Object.freeze(conditions.map((part) => toCondition(part, 'anyOf(…)'))) });
}

export function parseDagSchedule(schedule: unknown, dagId: string): ParsedDagSchedule {
  if (schedule === null || schedule === undefined || typeof schedule === 'string') {
    return { cron: validateSchedule(schedule, dagId), assetCondition: null };
  }
  const where = `schedule of DAG "${dagId}"`;
  if (isCronAndAssets(schedule)) {
    return { cron: validateSchedule(schedule.cron, dagId), assetCondition: toCondition(schedule.assets, where) };
  }
  return { cron: null, assetCondition: toCondition(schedule, where) };
}

function isCronAndAssets(value: object): value is { cron: unknown; assets: AssetScheduleCondition } {
  return 'cron' in value || 'assets' in value;
}

function toCondition(value: unknown, where: string): AssetCondition {
  if (Array.isArray(value)) {
    if (value.length === 0) throw scheduleError(where, 'an empty list of assets never holds');
    return Object.freeze({ kind: 'all', of: Object.freeze(value.map((part) => toCondition(part, where))) });
  }
  if (isCondition(value)) {
    if (value.kind === 'asset') return value;
    if (value.of.length === 0) throw scheduleError(where, `${value.kind}Of() needs at least one asset`);
    return value;
  }
  if (isAsset(value)) {
    const condition = Object.freeze({ kind: 'asset' as const, name: value.name, uri: value.uri });
    carryWatchers(value, condition);
    return condition;
  }
  throw scheduleError(where, `got ${describe(value)}`);
}

function isCondition(value: unknown): value is AssetCondition {
  if (typeof value !== 'object' || value === null) return false;
  const kind = (value as { kind?: unknown }).kind;
  if (kind === 'asset') return isAsset(value);
  return (kind === 'all' || kind === 'any') && Array.isArray((value as { of?: unknown }).of);
}

function scheduleError(where: string, problem: string): DagDefinitionError {
  return new DagDefinitionError(
    `${where} must be a cron expression, an asset, a list of assets, allOf(…)/anyOf(…) of assets, ` +
      `or { cron, assets }: ${problem}`,
  );
}

function describe(value: unknown): string {
  if (typeof value === 'object' && value !== null) {
    const keys = Object.keys(value);
    return keys.length === 0 ? 'an empty object' : `an object with ${keys.join(', ')}`;
  }
  return String(value);
}
