import { DEFAULT_POSTGRES_POOL_SIZE } from '@tidemark/db';
import BetterSqlite3 from 'better-sqlite3';
import pg from 'pg';

/**
 * The floor a state write or read can reach: one prepared upsert / select on `task_state`, straight
 * through the driver, with no transaction of our own, no history, no validation. Benchmarks compare
 * the real paths against it. On PostgreSQL it holds as many connections as the api-server's pool
 * (`DEFAULT_POSTGRES_POOL_SIZE`), so under concurrent clients both overlap their round trips and share
 * WAL flushes alike.
 */
export interface RawStateSql {
  upsert(key: string, valueJson: string): Promise<void>;
  select(key: string): Promise<string | undefined>;
  close(): Promise<void>;
}

const SCOPE = { dagId: 'bench_state', runId: 'bench__1', taskId: 'raw', mapIndex: -1 };

export async function openRawStateSql(url: string, dagRunId: number): Promise<RawStateSql> {
  return url.startsWith('sqlite:') ? openSqlite(url.slice('sqlite:'.length), dagRunId) : openPostgres(url, dagRunId);
}

function openSqlite(file: string, dagRunId: number): RawStateSql {
  const database = new BetterSqlite3(file);
  database.pragma('journal_mode = WAL');
  database.pragma('synchronous = NORMAL');
  database.pragma('busy_timeout = 5000');
  const upsert = database.prepare(
    `insert into task_state (dag_run_id, dag_id, run_id, task_id, map_index, key, value, version, updated_at)
     values (?, ?, ?, ?, ?, ?, ?, 1, ?)
     on conflict (dag_run_id, task_id, map_index, key) where item_key is null
     do update set value = excluded.value, version = task_state.version + 1, updated_at = excluded.updated_at`,
  );
  const select = database.prepare(
    'select value from task_state where dag_run_id = ? and task_id = ? and map_index = ? and key = ?',
  );
  return {
    async upsert(key, valueJson) {
      upsert.run(dagRunId, SCOPE.dagId, SCOPE.runId, SCOPE.taskId, SCOPE.mapIndex, key, valueJson, Date.now());
    },
    async select(key) {
      const row = select.get(dagRunId, SCOPE.taskId, SCOPE.mapIndex, key) as { value: string } | undefined;
      return row?.value;
    },
    async close() {
      database.close();
    },
  };
}

async function openPostgres(url: string, dagRunId: number): Promise<RawStateSql> {
  const pool = new pg.Pool({ connectionString: url, max: DEFAULT_POSTGRES_POOL_SIZE });
  await pool.query('select 1');
  return {
    async upsert(key, valueJson) {
      await pool.query({
        name: 'bench-upsert',
        text: `insert into task_state (dag_run_id, dag_id, run_id, task_id, map_index, key, value, version, updated_at)
               values ($1, $2, $3, $4, $5, $6, $7, 1, $8)
               on conflict (dag_run_id, task_id, map_index, key) where item_key is null
               do update set value = excluded.value, version = task_state.version + 1, updated_at = excluded.updated_at`,
        values: [dagRunId, SCOPE.dagId, SCOPE.runId, SCOPE.taskId, SCOPE.mapIndex, key, valueJson, Date.now()],
      });
    },
    async select(key) {
      const result = await pool.query<{ value: string }>({
        name: 'bench-select',
        text: 'select value from task_state where dag_run_id = $1 and task_id = $2 and map_index = $3 and key = $4',
        values: [dagRunId, SCOPE.taskId, SCOPE.mapIndex, key],
      });
      return result.rows[0]?.value;
    },
    async close() {
      await pool.end();
    },
  };
}
