import { describe, expect, it } from 'vitest';
import {
  OFFLOAD_REF_PATTERN,
  offloadEnvelope,
  offloadEnvelopeJson,
  offloadRef,
  offloadRefOf,
  offloadScopePrefix,
} from './offload-store.ts';

describe('offload refs and envelopes', () => {
  const task = { kind: 'task', dagId: 'd', runId: 'r', taskId: 't', mapIndex: -1 } as const;

  it('refs are deterministic: the same scope and key give the same ref; another scope or key another', () => {
    expect(offloadRef(task, 'k')).toBe(offloadRef({ ...task }, 'k'));
    expect(offloadRef(task, 'k')).not.toBe(offloadRef(task, 'k2'));
    expect(offloadRef(task, 'k')).not.toBe(offloadRef({ ...task, mapIndex: 0 }, 'k'));
    expect(offloadRef(task, 'k')).not.toBe(offloadRef({ ...task, runId: 'r2' }, 'k'));
    const orders = { kind: 'asset', name: 'orders' } as const;
    expect(offloadRef(orders, 'k')).toBe(offloadRef({ kind: 'asset', name: 'orders' }, 'k'));
    expect(offloadRef(orders, 'k')).not.toBe(offloadRef({ kind: 'asset', uri: 'orders' }, 'k'));
    for (const ref of [offloadRef(task, 'a/b ✓'), offloadRef(orders, '')]) expect(ref).toMatch(OFFLOAD_REF_PATTERN);
    expect(offloadRef(task, 'k').startsWith(offloadScopePrefix(task))).toBe(true);
    expect(offloadScopePrefix(orders)).toMatch(/^asset\/[0-9a-f]{64}\/$/);
  });

  it('an envelope is an object with only a string __tidemark_ref__', () => {
    const ref = offloadRef(task, 'k');
    expect(offloadRefOf(offloadEnvelope(ref))).toBe(ref);
    expect(offloadEnvelopeJson(ref)).toBe(`{"__tidemark_ref__":"${ref}"}`);
    expect(offloadRefOf(JSON.parse(offloadEnvelopeJson(ref)))).toBe(ref);
    for (const other of [ref, null, [ref], { __tidemark_ref__: 1 }, { __tidemark_ref__: ref, more: 1 }, {}]) {
      expect(offloadRefOf(other), JSON.stringify(other)).toBeUndefined();
    }
  });
});
