import type { ZodError } from 'zod';

/**
 * One line naming the offending field of the first problems, e.g.
 * `invalid request body: lines[0].level: Invalid option: expected one of "debug"|"info"|"warn"|"error"`.
 */
export function describeZodError(error: ZodError, what: string): string {
  const problems = error.issues.slice(0, 3).map((issue) => {
    const field = formatPath(issue.path);
    return field ? `${field}: ${issue.message}` : issue.message;
  });
  const more = error.issues.length > 3 ? ` (and ${error.issues.length - 3} more)` : '';
  return `invalid ${what}: ${problems.join('; ')}${more}`;
}

function formatPath(path: readonly PropertyKey[]): string {
  let text = '';
  for (const segment of path) {
    if (typeof segment === 'number') text += `[${segment}]`;
    else text += text ? `.${String(segment)}` : String(segment);
  }
  return text;
}
