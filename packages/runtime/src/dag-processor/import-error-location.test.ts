import { describe, expect, it } from 'vitest';
import { describeError, errorLineInFile } from './import-error-location.ts';

const FILE = '/dags/team/etl.ts';

function errorWithStack(message: string, stack: string[]): Error {
  const error = new Error(message);
  error.stack = [`Error: ${message}`, ...stack].join('\n');
  return error;
}

describe('errorLineInFile', () => {
  it('reads the line of a compile error from the esbuild message', () => {
    const error = new Error(`Transform failed with 1 error:\n${FILE}:7:18: ERROR: Unexpected ";"`);

    expect(errorLineInFile(error, FILE)).toBe(7);
  });

  it('takes the first stack frame inside the file, as a path or a file URL', () => {
    const stack = [
      '    at helper (/dags/lib/helper.ts:3:9)',
      `    at <anonymous> (file://${FILE}:12:5)`,
      `    at ${FILE}:40:1`,
    ];

    expect(errorLineInFile(errorWithStack('boom', stack), FILE)).toBe(12);
  });

  it('does not take a frame of another file whose path ends like this one', () => {
    const stack = ['    at x (/other/dags/team/etl.ts:3:9)', '    at y (/dags/team/etl.ts.bak:4:1)'];

    expect(errorLineInFile(errorWithStack('boom', stack), FILE)).toBeNull();
  });

  it('is null for a value that is not an Error', () => {
    expect(errorLineInFile('oops', FILE)).toBeNull();
  });
});

describe('describeError', () => {
  it('names the error class and message', () => {
    class DagDefinitionError extends Error {
      override name = 'DagDefinitionError';
    }
    expect(describeError(new DagDefinitionError('cycle: a -> b -> a'))).toBe('DagDefinitionError: cycle: a -> b -> a');
  });

  it('keeps only the compiler messages of a compile error', () => {
    const error = new Error(
      `Transform failed with 2 errors:\n${FILE}:2:1: ERROR: Unexpected "}"\n${FILE}:9:4: ERROR: Expected ";"`,
    );
    expect(describeError(error)).toBe('the file does not compile: Unexpected "}"; Expected ";"');
  });

  it('shows a thrown value that is not an Error', () => {
    expect(describeError({ reason: 'no' })).toBe('threw a value that is not an Error: {"reason":"no"}');
  });
});
