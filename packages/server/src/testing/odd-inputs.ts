import type { SeededRandom } from './seeded-random.ts';

/**
 * Odd inputs for the request fuzzer: what a careless or hostile client sends. Path and query
 * values are raw URL text (already percent-encoded, sometimes wrongly); bodies are raw bytes.
 */

const LONG = 'x'.repeat(600);
const VERY_LONG = 'y'.repeat(20_000);

/** Raw URL text for one path segment or query value. */
export const ODD_URL_VALUES: readonly string[] = [
  '%00',
  'a%00b',
  '2147483647',
  '2147483648',
  '-2147483648',
  '-2147483649',
  '9007199254740993',
  '99999999999999999999999999',
  '-1',
  '-2',
  '0',
  '1e999',
  '1.5',
  'NaN',
  'Infinity',
  '',
  '.',
  '..',
  '%2E',
  '%2E%2E',
  '%2e%2e',
  LONG,
  'k'.repeat(512),
  'k'.repeat(513),
  encodeURIComponent('😀'.repeat(512)),
  VERY_LONG,
  '%F0%9F%98%80',
  '%C3%A9',
  '%FF',
  '%C0%AF',
  '%ED%A0%80',
  '%E2%82',
  '%ZZ',
  '%',
  '%%',
  'a%2Fb',
  'a%20b',
  '%3F',
  '%23',
  'true',
  'false',
  'null',
  '%5B%5D',
  '%7B%7D',
  'manual__1',
  'orders',
  'extract',
];

export function oddUrlValue(random: SeededRandom): string {
  return random.pick(ODD_URL_VALUES);
}

/** Raw JSON text nested `depth` levels: arrays, objects or both. */
export function deeplyNested(depth: number, kind: 'array' | 'object' | 'mixed'): string {
  let open = '';
  let close = '';
  for (let level = 0; level < depth; level++) {
    const asArray = kind === 'array' || (kind === 'mixed' && level % 2 === 0);
    open += asArray ? '[' : '{"a":';
    close = (asArray ? ']' : '}') + close;
  }
  return `${open}1${close}`;
}

/** Raw JSON text of one odd value (a field of a body, or a whole body). */
export function oddJsonText(random: SeededRandom): string {
  switch (random.below(22)) {
    case 0:
      return 'null';
    case 1:
      return '1e999';
    case 2:
      return '-1e999';
    case 3:
      return random.pick(['2147483648', '-2147483649', '9007199254740993', '1e30', '-1', '-2', '0', '1.5']);
    case 4:
      return JSON.stringify('a\u0000b');
    case 5:
      return JSON.stringify(random.pick(['.', '..', '', ' ', '/', 'a/b', '😀', 'é', 'manual__1', 'orders']));
    case 6:
      return deeplyNested(random.pick([65, 100, 2_000, 5_000, 100_000]), random.pick(['array', 'object', 'mixed']));
    case 7:
      return JSON.stringify('z'.repeat(random.pick([513, 5_000, 70_000])));
    case 8:
      return JSON.stringify(random.pick([[], {}, [1, 2], { a: 1 }, [null], { '\u0000': 1 }]));
    case 9:
      return random.pick(['true', 'false']);
    case 10:
      return JSON.stringify('\ud800');
    case 11:
      return '"\\ud800"';
    case 12:
      return JSON.stringify({ a: [1, 2, { b: 'c' }] });
    case 13:
      return JSON.stringify(random.pick(['success', 'failed', 'skipped', 'running', 'queued']));
    case 14:
      return JSON.stringify(random.pick(['NEVER_EXPIRE', '30d', '-5s', '1e999d', '0', 'default']));
    case 15:
      return JSON.stringify(random.pick(['2026-01-01T00:00:00Z', '9999-12-31T23:59:59Z', '0000-01-01T00:00:00Z']));
    case 16:
      return JSON.stringify([{ ts: 1, level: 'info', message: 'a\u0000b', source: 'task' }]);
    case 17:
      return JSON.stringify(random.pick([['extract'], ['\u0000'], [''], [2147483648], [-1]]));
    case 18:
      return '{"__proto__":{"x":1}}';
    case 19:
      return '{"constructor":{"prototype":{"x":1}}}';
    case 20:
      return JSON.stringify(random.pick(['alice', 'admin', 'a\u0000', '']));
    default:
      return String(random.below(5));
  }
}

/** Invalid UTF-8 byte sequences: a stray continuation, an overlong `/`, a surrogate, a cut-off sequence. */
const INVALID_UTF8: readonly number[][] = [[0xff], [0xc0, 0xaf], [0xed, 0xa0, 0x80], [0xe2, 0x82], [0x80]];

/** Bytes of a body that is JSON but for some invalid UTF-8 inside a string. */
export function invalidUtf8Body(random: SeededRandom, fields: readonly string[]): Buffer {
  const field = fields.length > 0 ? random.pick(fields) : 'value';
  return Buffer.concat([Buffer.from(`{"${field}":"a`), Buffer.from(random.pick(INVALID_UTF8)), Buffer.from('b"}')]);
}
