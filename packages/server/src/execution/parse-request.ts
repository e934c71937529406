import type { z } from 'zod';
import { describeZodError } from '../errors/describe-zod-error.ts';
import { RequestValidationError } from '../errors.ts';

/** Validates one part of a request against its contract schema; 422 `validation_error` naming the field. */
export function parseRequest<Schema extends z.ZodType>(
  schema: Schema,
  input: unknown,
  part: 'body' | 'query' | 'path',
): z.output<Schema> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  if (input === undefined && part === 'body') {
    throw new RequestValidationError('invalid request body: a JSON body is required (Content-Type: application/json)');
  }
  throw new RequestValidationError(describeZodError(result.error, `request ${part}`));
}
