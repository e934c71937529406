/** Where a progress bar draws: a terminal stream (`process.stderr`). */
export interface ProgressStream {
  write(text: string): unknown;
}

export interface ProgressBar {
  /** Redraws at most every `redrawMs`, and always when `done` reaches `total`. */
  update(done: number): void;
  /** Clears the bar so that a line can be printed; the next update draws it again. */
  clear(): void;
  /** Clears the bar for good. */
  finish(): void;
}

const WIDTH = 30;
const CLEAR_LINE = '\r\x1b[K';

/**
 * One line, redrawn in place: `[#########---------------]  37%  370,000/1,000,000 rows removed`;
 * without a total (a custom backend cannot say), just the count.
 */
export function createProgressBar(
  stream: ProgressStream,
  options: { total?: number | undefined; label: string; redrawMs?: number; clock?: () => number },
): ProgressBar {
  const now = options.clock ?? Date.now;
  const redrawMs = options.redrawMs ?? 100;
  let lastDrawn = Number.NEGATIVE_INFINITY;
  let shown = false;

  const draw = (done: number) => {
    stream.write(`${CLEAR_LINE}${progressLine(done, options.total, options.label)}`);
    shown = true;
    lastDrawn = now();
  };

  return {
    update(done) {
      if (now() - lastDrawn >= redrawMs || done === options.total) draw(done);
    },
    clear() {
      if (shown) stream.write(CLEAR_LINE);
      shown = false;
      lastDrawn = Number.NEGATIVE_INFINITY;
    },
    finish() {
      if (shown) stream.write(CLEAR_LINE);
      shown = false;
    },
  };
}

export function progressLine(done: number, total: number | undefined, label: string): string {
  const count = done.toLocaleString('en-US');
  if (total === undefined || total <= 0) return `${count} ${label}`;
  const fraction = Math.min(1, done / total);
  const filled = Math.round(fraction * WIDTH);
  const percent = `${Math.floor(fraction * 100)}%`.padStart(4);
  return `[${'#'.repeat(filled)}${'-'.repeat(WIDTH - filled)}] ${percent}  ${count}/${total.toLocaleString('en-US')} ${label}`;
}
