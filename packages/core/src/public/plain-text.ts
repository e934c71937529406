import { z } from 'zod';

/**
 * A string of a request that reaches SQL as text (an id, a name, a filter, a worker's name): NUL
 * (U+0000) is refused on every dialect, since PostgreSQL text cannot hold it (it answered 500 there
 * while SQLite stored it). Values (state, XCom, conf) are JSON text, where NUL is escaped, and may
 * contain it.
 */
export const NUL_MESSAGE = 'must not contain the NUL character (\\u0000)';

export function plainText() {
  return z.string().refine((text) => !text.includes('\u0000'), NUL_MESSAGE);
}
