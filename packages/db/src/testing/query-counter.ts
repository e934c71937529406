import type { KyselyPlugin } from 'kysely';

/** A Kysely plugin that counts the queries it sees run: `db.withPlugin(counter.plugin)`. */
export interface QueryCounter {
  readonly plugin: KyselyPlugin;
  readonly count: number;
  reset(): void;
}

export function queryCounter(): QueryCounter {
  let count = 0;
  return {
    plugin: {
      transformQuery: (args) => args.node,
      transformResult: async (args) => {
        count++;
        return args.result;
      },
    },
    get count() {
      return count;
    },
    reset() {
      count = 0;
    },
  };
}
