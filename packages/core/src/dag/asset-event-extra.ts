import { AssetEventExtraTooLargeError, ValueTooLargeError } from '../errors.ts';
import type { JsonValue } from '../state-store/state-value-rules.ts';
import { encodeStateValue } from '../state-store/state-value-rules.ts';

/** SPEC §15.2: an event's `extra` is JSON within `state.max_value_bytes`, like a state value. */
export function checkAssetEventExtraSize(
  assetName: string,
  extra: Readonly<Record<string, JsonValue>>,
  maxValueBytes: number,
): void {
  try {
    encodeStateValue(extra, maxValueBytes);
  } catch (error) {
    if (error instanceof ValueTooLargeError) {
      throw new AssetEventExtraTooLargeError(assetName, error.sizeBytes, error.limitBytes);
    }
    throw error;
  }
}
