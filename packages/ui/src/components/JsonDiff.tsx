import { diffLines } from '../format/diff.ts';
import { prettyJson } from '../format/json.ts';

/** The line diff of two JSON values, pretty-printed: removed lines red, added green. */
export function JsonDiff({ before, after }: { before: unknown; after: unknown }) {
  const lines = diffLines(before === null ? '' : prettyJson(before), after === null ? '' : prettyJson(after));
  return (
    <pre className="json diff" data-testid="diff">
      {lines.map((line, index) => (
        // Lines have no identity of their own; their order is the diff.
        // biome-ignore lint/suspicious/noArrayIndexKey: see above.
        <div key={index} className={`diff-${line.kind}`}>
          {line.kind === 'removed' ? '- ' : line.kind === 'added' ? '+ ' : '  '}
          {line.text}
        </div>
      ))}
    </pre>
  );
}
