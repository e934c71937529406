/**
 * How deep a value (state, XCom, conf, event extra) may nest arrays and objects. Deeper JSON is
 * refused everywhere, before it is parsed or walked: walking it recursively would exhaust the stack.
 */
export const MAX_JSON_DEPTH = 64;

/** A request body wraps its value in at most this many levels (`{"value": …}`, `{"lines": [{…}]}`). */
export const MAX_REQUEST_BODY_DEPTH = MAX_JSON_DEPTH + 2;

/** True when JSON text nests arrays and objects more than `limit` levels; a linear scan, no parsing. */
export function jsonTextExceedsDepth(text: string, limit: number): boolean {
  let depth = 0;
  let inString = false;
  for (let index = 0; index < text.length; index++) {
    const code = text.charCodeAt(index);
    if (inString) {
      if (code === 0x5c)
        index++; // backslash: skip the escaped character
      else if (code === 0x22) inString = false;
    } else if (code === 0x22) {
      inString = true;
    } else if (code === 0x5b || code === 0x7b) {
      depth++;
      if (depth > limit) return true;
    } else if (code === 0x5d || code === 0x7d) {
      depth--;
    }
  }
  return false;
}
