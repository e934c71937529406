/**
 * The `--conditions` this process was started with, as arguments for the Node processes it starts
 * (the DAG parser, task processes): they resolve packages as it does, so that no process mixes a
 * package's built JavaScript with its sources (tests start `tidemark` with
 * `--conditions=tidemark-built`, which resolves every `@tidemark/*` package to its build).
 */
export function inheritedConditionArgs(execArgv: readonly string[] = process.execArgv): string[] {
  const args: string[] = [];
  for (let index = 0; index < execArgv.length; index++) {
    const arg = execArgv[index] as string;
    if (arg.startsWith('--conditions=')) {
      args.push(arg);
    } else if (arg === '--conditions' || arg === '-C') {
      const value = execArgv[++index];
      if (value !== undefined) args.push(`--conditions=${value}`);
    }
  }
  return args;
}
