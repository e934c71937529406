import { randomBytes } from 'node:crypto';

/** 42 bits: the 12 bits of `rand_a` and the top 30 bits of `rand_b` (RFC 9562 §6.2, method 1). */
const COUNTER_BITS = 42;
const COUNTER_LIMIT = 2 ** COUNTER_BITS;
const LOW_COUNTER_BITS = 30;

interface ClockState {
  lastMs: number;
  counter: number;
}

/**
 * A fresh counter starts at a random value with its top bit clear, so that millions of ids can
 * follow within the same millisecond before the counter rolls over into the next one.
 */
function randomCounterSeed(): number {
  const bytes = randomBytes(6);
  return bytes.readUIntBE(0, 6) % (COUNTER_LIMIT / 2);
}

/**
 * Moves the clock on for one id: a new millisecond reseeds the counter; the same (or an earlier,
 * if the wall clock stepped back) millisecond increments it, so ids made by this process always
 * increase.
 */
export function nextUuidV7Clock(state: ClockState, now: number): ClockState {
  if (now > state.lastMs) return { lastMs: now, counter: randomCounterSeed() };
  const counter = state.counter + 1;
  if (counter < COUNTER_LIMIT) return { lastMs: state.lastMs, counter };
  return { lastMs: state.lastMs + 1, counter: randomCounterSeed() };
}

/** Makes UUIDv7s on a clock of its own (see `uuidV7`); tests make one to start from a known clock. */
export function uuidV7Generator(): (now?: number) => string {
  let clock: ClockState = { lastMs: -1, counter: 0 };
  return (now = Date.now()) => {
    clock = nextUuidV7Clock(clock, now);
    const bytes = randomBytes(16);
    bytes.writeUIntBE(clock.lastMs, 0, 6);
    const high = Math.floor(clock.counter / 2 ** LOW_COUNTER_BITS);
    const low = clock.counter % 2 ** LOW_COUNTER_BITS;
    bytes.writeUInt16BE(0x7000 | high, 6);
    bytes.writeUInt32BE((0x80000000 | low) >>> 0, 8);
    const hex = bytes.toString('hex');
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
  };
}

/**
 * RFC 9562 UUIDv7: 48 bits of Unix milliseconds, a 42-bit counter, then 32 random bits. Ids made
 * by one process strictly increase, also within one millisecond, so TI ids sort by creation
 * order (mapped TIs inserted together keep their map order) and the primary-key index stays
 * append-mostly.
 */
export const uuidV7: (now?: number) => string = uuidV7Generator();
