import { encodeStateValue, type JsonValue, type OutletEventExtra } from '@tidemark/core/task-process';
import { describeThrown } from './describe-thrown.ts';
import type { FinishedMessage } from './supervisor-channel.ts';

/**
 * `undefined` and `null` mean "no return value"; anything else must be JSON, or the try fails for
 * good. So must the extras set for the outlets' events.
 */
export function successOutcome(
  taskId: string,
  returnValue: unknown,
  outletEvents: readonly OutletEventExtra[] = [],
): FinishedMessage {
  for (const event of outletEvents) {
    const refusal = jsonRefusal(event.extra);
    if (refusal) {
      return failedOutcome(
        `task "${taskId}" set an extra for outlet "${event.name}" that is not JSON: ${refusal}`,
        false,
      );
    }
  }
  const events = outletEvents.length > 0 ? { outletEvents } : {};
  if (returnValue === undefined || returnValue === null) return { type: 'finished', outcome: 'success', ...events };
  const refusal = jsonRefusal(returnValue);
  if (refusal) return failedOutcome(`task "${taskId}" returned a value that XCom cannot store: ${refusal}`, false);
  return { type: 'finished', outcome: 'success', returnValue: returnValue as JsonValue, ...events };
}

function jsonRefusal(value: unknown): string | undefined {
  try {
    encodeStateValue(value, 0);
    return undefined;
  } catch (error) {
    return error instanceof Error ? error.message.replace(/^state value /, 'the value ') : String(error);
  }
}

/**
 * SkipTask skips, FailTask fails without retry, any other throw fails and may be retried. They are
 * told apart by code, not `instanceof`, in case the DAG file imports its own copy of the SDK.
 */
export function thrownOutcome(thrown: unknown): FinishedMessage {
  const code = thrown instanceof Error ? (thrown as { code?: unknown }).code : undefined;
  if (code === 'task_skipped') {
    const reason = (thrown as { reason?: unknown }).reason;
    return { type: 'finished', outcome: 'skipped', reason: typeof reason === 'string' ? reason : String(thrown) };
  }
  return failedOutcome(describeThrown(thrown), code !== 'task_failed');
}

export function failedOutcome(error: string, retryable: boolean): FinishedMessage {
  return { type: 'finished', outcome: 'failed', error, retryable };
}
