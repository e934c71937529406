import { diffLines as diffTextLines } from 'diff';

/** A line of a diff: kept, removed (only in the old text) or added (only in the new). */
export interface DiffLine {
  readonly kind: 'same' | 'removed' | 'added';
  readonly text: string;
}

/** A line diff of two texts, by jsdiff (Myers' algorithm); an empty text has no lines. */
export function diffLines(before: string, after: string): DiffLine[] {
  // Every line ends with a newline, so that a last line compares equal to the same line followed by more.
  const changes = diffTextLines(withFinalNewline(before), withFinalNewline(after));
  return changes.flatMap((change) => {
    const kind = change.added ? 'added' : change.removed ? 'removed' : 'same';
    return change.value
      .slice(0, -1)
      .split('\n')
      .map((text) => ({ kind, text }));
  });
}

function withFinalNewline(text: string): string {
  return text === '' || text.endsWith('\n') ? text : `${text}\n`;
}
