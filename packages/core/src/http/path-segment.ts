/**
 * One id or state key as a URL path segment. `encodeURIComponent` leaves `.` alone, and a segment
 * that is only dots (`.`, `..`) would be removed by URL normalization before it reached the
 * server, so its dots are sent as `%2E`. Clients that parse URLs with WHATWG `URL` (fetch) still
 * normalize `%2E` away: send such paths as raw strings (node:http's `path`).
 */
export function encodePathSegment(value: string | number): string {
  const encoded = encodeURIComponent(String(value));
  return /^\.+$/.test(encoded) ? encoded.replaceAll('.', '%2E') : encoded;
}

/**
 * Browsers remove `.` and `..` path segments even percent-encoded, so a state key made only of
 * dots cannot travel in a browser's path. The public API's `{key}` routes therefore also take the
 * key from `?key=` when the path's key segment is this placeholder (without `?key=`, `~` is the
 * key "~" itself).
 */
export const STATE_KEY_IN_QUERY = '~';

export function isDotOnly(key: string): boolean {
  return /^\.+$/.test(key);
}
