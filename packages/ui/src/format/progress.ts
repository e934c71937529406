/** A state value that reports progress: `{done, total}` with numbers (the checkpoint helper's shape). */
export interface Progress {
  readonly done: number;
  readonly total: number;
}

export function progressOf(value: unknown): Progress | null {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return null;
  const { done, total } = value as { done?: unknown; total?: unknown };
  if (typeof done !== 'number' || typeof total !== 'number') return null;
  if (!Number.isFinite(done) || !Number.isFinite(total) || total < 0) return null;
  return { done, total };
}
