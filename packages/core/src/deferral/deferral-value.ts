import { DeferralValueTooLargeError, InvalidStateValueError, ValueTooLargeError } from '../errors.ts';
import { encodeStateValue } from '../state-store/state-value-rules.ts';

/**
 * A poll's arguments or a wait's event as JSON text, under the rules of state values (finite JSON,
 * not null, at most `maxBytes`, 0 = no limit); `what` names it in the error ("the arguments of poll
 * "spark_job"").
 */
export function encodeDeferralValue(value: unknown, what: string, maxBytes: number): string {
  try {
    return encodeStateValue(value, maxBytes);
  } catch (error) {
    if (error instanceof ValueTooLargeError)
      throw new DeferralValueTooLargeError(what, error.sizeBytes, error.limitBytes);
    if (error instanceof InvalidStateValueError) {
      throw new InvalidStateValueError(`${what}: ${error.message.replace(/^state value /, 'the value ')}`);
    }
    throw error;
  }
}
