import { ConfigError, type TidemarkConfig } from '@tidemark/core';
import type { MetadataDatabase } from '@tidemark/db';
import { type Command, InvalidArgumentError } from 'commander';
import { loadConfig } from '../config/load-config.ts';
import { formatMs } from '../output/print.ts';
import { createProgressBar } from '../output/progress-bar.ts';

/** The database modules load when a command needs them, not with every `tidemark` command. */
const dbModule = () => import('@tidemark/db');

interface RotateKeyOptions {
  batchSize?: number;
  json?: boolean;
}

/**
 * `tidemark state-store rotate-key`: re-encrypts every stored state value with the current
 * `state.encryption_key` (SPEC §17), straight on the metadata database, in batches, with a progress
 * bar on a terminal. Safe to interrupt and to run again.
 */
export function addRotateKeyCommand(stateStore: Command): void {
  stateStore
    .command('rotate-key')
    .description(
      're-encrypt every stored state value with state.encryption_key (values under state.encryption_old_keys ' +
        'or stored before the key was set), in batches of state.gc_batch_size; safe to interrupt and re-run',
    )
    .option('--batch-size <rows>', 'rows per transaction (default: state.gc_batch_size)', positiveInteger)
    .option('--json', 'print the report as JSON')
    .action(async (options: RotateKeyOptions) => {
      const config = loadConfig();
      assertKeysConfigured(config);
      const database = await (await dbModule()).connectDatabase(config.database.url);
      try {
        await (await dbModule()).assertSchemaCurrent(database);
        await rotateKey(config, database, options);
      } finally {
        await database.close();
      }
    });
}

function assertKeysConfigured(config: TidemarkConfig): void {
  if (config.state.encryption_key !== undefined || (config.state.encryption_old_keys ?? []).length > 0) return;
  throw new ConfigError(
    'state-store rotate-key needs state.encryption_key (the key to encrypt with); generate one with ' +
      '`openssl rand -base64 32`, and list the previous key, if any, in state.encryption_old_keys',
  );
}

async function rotateKey(config: TidemarkConfig, database: MetadataDatabase, options: RotateKeyOptions) {
  const cipher = (await dbModule()).stateValueCipher(config);
  const started = Date.now();
  const bar = process.stderr.isTTY
    ? createProgressBar(process.stderr, {
        total: await (await dbModule()).countStaleStateValues(database, cipher),
        label: 'values re-encrypted',
      })
    : undefined;
  const report = await (await dbModule()).rotateStateEncryption(database, cipher, {
    batchSize: options.batchSize ?? config.state.gc_batch_size,
    onProgress: (rewritten) => bar?.update(rewritten),
  });
  bar?.finish();
  const target =
    cipher.currentKeyId === undefined ? 'plain JSON (no state.encryption_key)' : `key ${cipher.currentKeyId}`;
  if (options.json) {
    process.stdout.write(
      `${JSON.stringify(
        {
          rewritten: report.rewritten,
          skipped: report.skipped,
          key_id: cipher.currentKeyId ?? null,
          ...(report.vacuumFailed === undefined ? {} : { vacuum_failed: report.vacuumFailed }),
        },
        null,
        2,
      )}\n`,
    );
    return;
  }
  process.stdout.write(
    `Re-encrypted ${report.rewritten.toLocaleString('en-US')} value(s) to ${target} in ${formatMs(Date.now() - started)}` +
      (report.skipped > 0 ? `; ${report.skipped} changed meanwhile and were left as their writer stored them` : '') +
      '.\n',
  );
  if (report.vacuumFailed !== undefined) {
    process.stdout.write(
      `The old bytes stay in the SQLite file's free pages until it is vacuumed (${report.vacuumFailed}); ` +
        `run \`sqlite3 ${database.url.replace(/^sqlite:/, '')} VACUUM\` when the database is idle.\n`,
    );
  }
}

function positiveInteger(text: string): number {
  const value = Number(text);
  if (!/^\d+$/.test(text) || value < 1) throw new InvalidArgumentError('expected a whole number ≥ 1');
  return value;
}
