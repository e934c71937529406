import { describe, expect, it } from 'vitest';
import { allowedDagRunFromStates, DAG_RUN_TRANSITIONS, isAllowedDagRunTransition } from './dag-run-transitions.ts';
import { DAG_RUN_STATES, FINISHED_TI_STATES } from './task-instance-state.ts';
import {
  allowedFromStates,
  isAllowedTiTransition,
  TASK_INSTANCE_TRANSITIONS,
  TI_STATE_NAMES,
  type TiStateName,
} from './task-instance-transitions.ts';

describe('the task-instance transition table', () => {
  it('names only known states, and no transition goes from a state to itself', () => {
    for (const { to, from } of TASK_INSTANCE_TRANSITIONS) {
      expect(TI_STATE_NAMES).toContain(to);
      for (const state of from) expect(TI_STATE_NAMES).toContain(state);
      expect(from).not.toContain(to);
      expect(from.length).toBeGreaterThan(0);
    }
  });

  it('has one row per target state and actor, so a guard is never ambiguous', () => {
    const keys = TASK_INSTANCE_TRANSITIONS.map(({ to, by }) => `${to} by ${by}`);
    expect(new Set(keys).size).toBe(keys.length);
  });

  it('leaves a finished TI to operators only', () => {
    for (const { from, by } of TASK_INSTANCE_TRANSITIONS) {
      if (by === 'operator') continue;
      for (const state of from) expect(FINISHED_TI_STATES.has(state as never)).toBe(false);
    }
  });

  it('starts a try only from queued, and lets an attempt end only a running (or deferred) TI', () => {
    const intoRunning = TASK_INSTANCE_TRANSITIONS.filter(({ to }) => to === 'running');
    expect(intoRunning).toEqual([expect.objectContaining({ from: ['queued'], by: 'attempt' })]);
    for (const { to, from } of TASK_INSTANCE_TRANSITIONS.filter(({ by }) => by === 'attempt')) {
      if (to === 'running' || to === 'scheduled') continue;
      expect(from[0]).toBe('running');
      for (const state of from) expect(['running', 'deferred']).toContain(state);
    }
  });

  it('defers only a running try, resumes a deferred one once, and fails its wait with the retry policy (SPEC §16)', () => {
    expect(allowedFromStates('deferred', 'attempt')).toEqual(['running']);
    expect(allowedFromStates('scheduled', 'attempt')).toEqual(['deferred']);
    expect(isAllowedTiTransition('deferred', 'up_for_retry', 'attempt')).toBe(true);
    expect(isAllowedTiTransition('deferred', 'failed', 'attempt')).toBe(true);
    expect(isAllowedTiTransition('deferred', 'success', 'attempt')).toBe(false);
    expect(isAllowedTiTransition('deferred', 'queued', 'scheduler')).toBe(false);
    expect(isAllowedTiTransition('scheduled', 'queued', 'scheduler')).toBe(true);
    expect(isAllowedTiTransition('deferred', 'none', 'operator')).toBe(true);
    expect(isAllowedTiTransition('deferred', 'success', 'operator')).toBe(true);
    expect(isAllowedTiTransition('deferred', 'removed', 'scheduler')).toBe(true);
  });

  it('never lets the scheduler take a TI away from its running attempt', () => {
    for (const { from, by } of TASK_INSTANCE_TRANSITIONS) {
      if (by === 'scheduler') expect(from).not.toContain('running');
    }
  });

  it('lets an operator clear any TI that is not in none, and mark it from any other state', () => {
    const others = (state: TiStateName) => TI_STATE_NAMES.filter((name) => name !== state);
    expect(allowedFromStates('none', 'operator')).toEqual(others('none'));
    expect(allowedFromStates('success', 'operator')).toEqual(others('success'));
    expect(allowedFromStates('failed', 'operator')).toEqual(others('failed'));
  });

  it('enters every state (a deferred try whose wait fired is `scheduled`)', () => {
    const entered = new Set(TASK_INSTANCE_TRANSITIONS.map(({ to }) => to));
    expect(TI_STATE_NAMES.filter((state) => !entered.has(state))).toEqual([]);
  });

  it('answers who may make a move', () => {
    expect(allowedFromStates('queued', 'scheduler')).toEqual(['none', 'scheduled', 'up_for_retry']);
    expect(isAllowedTiTransition('running', 'queued', 'scheduler')).toBe(false);
    expect(isAllowedTiTransition('success', 'queued', 'scheduler')).toBe(false);
    expect(isAllowedTiTransition('running', 'success', 'attempt')).toBe(true);
    expect(isAllowedTiTransition('queued', 'success', 'attempt')).toBe(false);
    expect(allowedFromStates('running', 'operator')).toEqual([]);
  });
});

describe('the DAG-run transition table', () => {
  it('names only known states, one row per target state and actor, no self-transition', () => {
    const keys = DAG_RUN_TRANSITIONS.map(({ to, by }) => `${to} by ${by}`);
    expect(new Set(keys).size).toBe(keys.length);
    for (const { to, from } of DAG_RUN_TRANSITIONS) {
      expect(DAG_RUN_STATES).toContain(to);
      for (const state of from) expect(DAG_RUN_STATES).toContain(state);
      expect(from).not.toContain(to);
    }
  });

  it('moves a run queued → running → success | failed, and back to queued only by an operator', () => {
    expect(allowedDagRunFromStates('running', 'scheduler')).toEqual(['queued']);
    expect(allowedDagRunFromStates('success', 'scheduler')).toEqual(['running']);
    expect(allowedDagRunFromStates('failed', 'scheduler')).toEqual(['running']);
    expect(allowedDagRunFromStates('queued', 'scheduler')).toEqual([]);
    expect(isAllowedDagRunTransition('failed', 'queued', 'operator')).toBe(true);
    expect(isAllowedDagRunTransition('running', 'queued', 'operator')).toBe(false);
  });
});
