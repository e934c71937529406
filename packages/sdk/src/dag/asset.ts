import type { AssetReference } from '@tidemark/core/task-process';
import { DagDefinitionError } from '../errors.ts';

/** A named piece of data a task reads (inlet) or produces (outlet). */
export type Asset = AssetReference;

export interface AssetOptions {
  /** Where the data lives; defaults to the name. */
  readonly uri?: string;
}

const MAX_ASSET_TEXT_LENGTH = 1500;

export function asset(name: string, options: AssetOptions = {}): Asset {
  const uri = options.uri ?? name;
  checkAssetText(name, 'name');
  checkAssetText(uri, `uri (of asset ${JSON.stringify(name)})`);
  return Object.freeze({ name, uri });
}

export function isAsset(value: unknown): value is Asset {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as Asset).name === 'string' &&
    typeof (value as Asset).uri === 'string'
  );
}

function checkAssetText(text: unknown, what: string): void {
  if (typeof text !== 'string' || text.trim() === '' || text.length > MAX_ASSET_TEXT_LENGTH) {
    throw new DagDefinitionError(
      `asset ${what} must be a non-blank string of at most ${MAX_ASSET_TEXT_LENGTH} characters, got ${JSON.stringify(text)}`,
    );
  }
}
