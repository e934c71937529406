import { prettyJson } from '../format/json.ts';

/** A JSON value, pretty-printed. */
export function JsonView({ value }: { value: unknown }) {
  return <pre className="json">{prettyJson(value)}</pre>;
}
