import { prettyJson } from './json.ts';

/**
 * Whether writing `restored` over `current` moves a watermark-like value backwards: both numbers,
 * or both strings (watermarks compare as the SDK's `advance` does, ISO-8601 times included), and
 * the restored one is smaller.
 */
export function movesBackwards(current: unknown, restored: unknown): boolean {
  if (typeof current === 'number' && typeof restored === 'number') return restored < current;
  if (typeof current === 'string' && typeof restored === 'string') return restored < current;
  return false;
}

const shown = (value: unknown) => {
  const text = prettyJson(value);
  return text.length > 80 ? `${text.slice(0, 77)}…` : text;
};

/** What the UI asks before a restore; it says so when the restore moves the value backwards. */
export function restoreQuestion(key: string, version: number, restored: unknown, current: unknown): string {
  const question = `Restore version ${version} of "${key}"? It is written as a new version.`;
  if (current === undefined || !movesBackwards(current, restored)) return question;
  return (
    `${question}\n\nThis moves "${key}" backwards, from ${shown(current)} to ${shown(restored)}. ` +
    `If it is a watermark, the next runs process again everything after ${shown(restored)}.`
  );
}
