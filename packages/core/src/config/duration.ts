const UNIT_MS: Record<string, number> = {
  ms: 1,
  s: 1_000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 604_800_000,
};

const DURATION_PATTERN = /^(\d+(?:\.\d+)?)(ms|s|m|h|d|w)/;

/**
 * Parses `"30d"`, `"1h30m"`, `"500ms"`, `"2s"`, `"0"` or a number of seconds into milliseconds.
 * Returns `undefined` when the text is not a duration.
 */
export function parseDurationMs(input: string | number): number | undefined {
  if (typeof input === 'number') return Number.isFinite(input) && input >= 0 ? input * 1000 : undefined;
  let rest = input.trim();
  if (/^\d+(\.\d+)?$/.test(rest)) return Number(rest) * 1000;
  if (rest === '') return undefined;
  let total = 0;
  while (rest !== '') {
    const match = DURATION_PATTERN.exec(rest);
    if (!match) return undefined;
    total += Number(match[1]) * (UNIT_MS[match[2] as string] as number);
    rest = rest.slice(match[0].length);
  }
  return Math.round(total);
}

export function formatDurationMs(ms: number): string {
  if (ms === 0) return '0';
  for (const unit of ['w', 'd', 'h', 'm', 's'] as const) {
    const size = UNIT_MS[unit] as number;
    if (ms % size === 0) return `${ms / size}${unit}`;
  }
  return `${ms}ms`;
}
