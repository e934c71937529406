import { DagDefinitionError } from '../errors.ts';

/**
 * DAG files run under tsx without a type check, so a misspelt option (`retry: 3`) would otherwise
 * be dropped without a word.
 */
export function checkOptionNames(options: unknown, known: readonly string[], where: string): void {
  if (options === undefined) return;
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw new DagDefinitionError(`the options of ${where} must be an object, got ${String(options)}`);
  }
  for (const name of Object.keys(options)) {
    if (!known.includes(name)) {
      throw new DagDefinitionError(`unknown option "${name}" for ${where}; the options are: ${known.join(', ')}`);
    }
  }
}
