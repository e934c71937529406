import { z } from 'zod';
import { parseDurationMs } from './duration.ts';

// Values may come from environment variables, so every non-string setting also accepts its text form.

function integer(min: number) {
  return z
    .union([
      z.number(),
      z
        .string()
        .regex(/^-?\d+$/, 'expected a whole number')
        .transform(Number),
    ])
    .pipe(z.number().int('expected a whole number').min(min, `expected a whole number ≥ ${min}`));
}

function flag() {
  return z
    .union([z.boolean(), z.enum(['true', 'false', '1', '0'], 'expected true or false')])
    .transform((value) => value === true || value === 'true' || value === '1');
}

/** A duration in milliseconds, written `"30d"`, `"1h"`, `"2s"`, `"0"` or a number of seconds. */
function duration() {
  return z.union([z.number(), z.string()]).transform((value, ctx) => {
    const ms = parseDurationMs(value);
    if (ms === undefined) {
      ctx.addIssue({ code: 'custom', message: `expected a duration such as "30d", "1h", "2s" or "0", got "${value}"` });
      return z.NEVER;
    }
    return ms;
  });
}

/** 32 bytes in standard base64 is 43 characters and one `=`. */
const BASE64_32_BYTES = /^[A-Za-z0-9+/]{43}=$/;
const KEY_FIX = 'expected 32 random bytes in base64 (44 characters); generate one with `openssl rand -base64 32`';

/** `state.encryption_key`: an AES-256 key, 32 bytes written in base64. */
function encryptionKey() {
  return z.string().trim().regex(BASE64_32_BYTES, KEY_FIX);
}

/** `state.encryption_old_keys`: a list of keys, or (from the environment) one text of keys separated by commas. */
function encryptionKeyList() {
  return z
    .union([
      z.array(z.string()),
      z.string().transform((text) =>
        text
          .split(',')
          .map((key) => key.trim())
          .filter((key) => key !== ''),
      ),
    ])
    .pipe(z.array(encryptionKey()));
}

export const OFFLOAD_BACKENDS = ['none', 'filesystem', 's3'] as const;

/**
 * SPEC §9.2 `state.offload.*`, read by workers. In the config file it is an object
 * (`{"state": {"offload": {"backend": "filesystem"}}}`); an environment variable
 * `TIDEMARK_STATE__OFFLOAD__BACKEND` arrives as the key `offload__backend` and is folded in (it wins).
 */
function offloadSchema() {
  return z.strictObject({
    /** `none`, `filesystem`, `s3`, or a module path exporting `createOffloadStore`. */
    backend: offloadBackend().default('none'),
    /** Values whose UTF-8 JSON is larger than this go to the offload store. */
    threshold_bytes: integer(1).default(32_768),
    /** Where the filesystem backend keeps payloads. Default: `<home>/offload`. */
    folder: z.string().min(1).optional(),
    /** Store payloads gzip-compressed (marked so, so reads know; objects stored before still read). */
    gzip: flag().default(false),
    /** The `s3` backend's bucket and where to reach it (SPEC §17). */
    s3: offloadS3Schema().optional(),
  });
}

/**
 * `state.offload.s3.*`. Credentials are not settings: they come from the standard AWS chain
 * (`AWS_ACCESS_KEY_ID`/`AWS_SECRET_ACCESS_KEY`, `AWS_PROFILE`, an instance or container role).
 */
function offloadS3Schema() {
  return z.strictObject({
    bucket: z.string().min(1, 'expected the name of an existing bucket'),
    /** Prepended to every object key, e.g. `tidemark/offload/`. */
    prefix: z.string().default(''),
    /** For S3-compatible stores (MinIO, Ceph, R2, …), e.g. `http://127.0.0.1:9000`. Default: AWS. */
    endpoint: endpointUrl().optional(),
    /** Default: `AWS_REGION`, then `AWS_DEFAULT_REGION`, then `us-east-1`. */
    region: z.string().min(1).optional(),
    /** `bucket` in the path rather than the host name; most S3-compatible stores need it. */
    force_path_style: flag().default(false),
  });
}

function offloadBackend() {
  return z.string().min(1, 'expected "none", "filesystem", "s3" or a module path exporting createOffloadStore');
}

/** The environment's spelling of the offload keys (see offloadSchema). */
const offloadEnvironmentKeys = {
  offload__backend: offloadBackend().optional(),
  offload__threshold_bytes: integer(1).optional(),
  offload__folder: z.string().min(1).optional(),
  offload__gzip: flag().optional(),
  offload__s3__bucket: z.string().min(1).optional(),
  offload__s3__prefix: z.string().optional(),
  offload__s3__endpoint: endpointUrl().optional(),
  offload__s3__region: z.string().min(1).optional(),
  offload__s3__force_path_style: flag().optional(),
};

function foldOffloadKeys<
  T extends { offload: z.output<ReturnType<typeof offloadSchema>> } & {
    [K in keyof typeof offloadEnvironmentKeys]?: z.output<(typeof offloadEnvironmentKeys)[K]>;
  },
>(section: T) {
  const { offload__backend, offload__threshold_bytes, offload__folder, offload__gzip, ...rest } = section;
  const {
    offload__s3__bucket,
    offload__s3__prefix,
    offload__s3__endpoint,
    offload__s3__region,
    offload__s3__force_path_style,
    ...others
  } = rest;
  const folder = offload__folder ?? section.offload.folder;
  const s3 = foldS3Keys(section.offload.s3, {
    bucket: offload__s3__bucket,
    prefix: offload__s3__prefix,
    endpoint: offload__s3__endpoint,
    region: offload__s3__region,
    force_path_style: offload__s3__force_path_style,
  });
  return {
    ...others,
    offload: {
      backend: offload__backend ?? section.offload.backend,
      threshold_bytes: offload__threshold_bytes ?? section.offload.threshold_bytes,
      ...(folder === undefined ? {} : { folder }),
      gzip: offload__gzip ?? section.offload.gzip,
      ...(s3 === undefined ? {} : { s3 }),
    },
  };
}

function endpointUrl() {
  return z.url({ protocol: /^https?$/, error: 'expected an http(s) URL such as http://127.0.0.1:9000' });
}

type OffloadS3Settings = z.output<ReturnType<typeof offloadS3Schema>>;

/** The file's `state.offload.s3`, with the environment's keys winning; none without a bucket. */
function foldS3Keys(
  fromFile: OffloadS3Settings | undefined,
  fromEnv: { [K in keyof OffloadS3Settings]?: OffloadS3Settings[K] | undefined },
): OffloadS3Settings | undefined {
  const bucket = fromEnv.bucket ?? fromFile?.bucket;
  if (bucket === undefined) return undefined;
  const endpoint = fromEnv.endpoint ?? fromFile?.endpoint;
  const region = fromEnv.region ?? fromFile?.region;
  return {
    bucket,
    prefix: fromEnv.prefix ?? fromFile?.prefix ?? '',
    ...(endpoint === undefined ? {} : { endpoint }),
    ...(region === undefined ? {} : { region }),
    force_path_style: fromEnv.force_path_style ?? fromFile?.force_path_style ?? false,
  };
}

/**
 * Prometheus metrics (README "Observability"). The api-server serves them at `/metrics` on its own
 * port; a scheduler, worker or triggerer process serves them on a port of its own only when one is
 * set (0: none). `standalone` runs all three in one process, so its `/metrics` has everything.
 */
function metricsSchema() {
  return z.strictObject({
    /** false: nothing is recorded and `/metrics` answers 404 (the bench's "metrics off"). */
    enabled: flag().default(true),
    /** When set, every metrics endpoint wants `Authorization: Bearer <token>` (Prometheus `authorization`). */
    bearer_token: z.string().min(16, 'expected at least 16 characters').optional(),
    /** Where the scheduler's, worker's and triggerer's metrics ports listen. */
    host: z.string().min(1).default('127.0.0.1'),
    scheduler_port: integer(0).default(0),
    worker_port: integer(0).default(0),
    triggerer_port: integer(0).default(0),
  });
}

/** OpenTelemetry traces (README "Observability"): exported over OTLP/HTTP only when an endpoint is set. */
function tracingSchema() {
  return z.strictObject({
    /** The collector's OTLP/HTTP base URL, e.g. `http://127.0.0.1:4318` (`/v1/traces` is added). Unset: no tracing. */
    otlp_endpoint: endpointUrl().optional(),
    /** `service.name` of the spans is this plus the process kind: `tidemark-worker`, `tidemark-api-server`, … */
    service_name: z.string().min(1).default('tidemark'),
    /** Share of new traces kept (parent-based: a server span follows its caller's decision). */
    sample_ratio: z
      .union([
        z.number(),
        z
          .string()
          .regex(/^\d*\.?\d+$/, 'expected a number from 0 to 1')
          .transform(Number),
      ])
      .pipe(z.number().min(0, 'expected a number from 0 to 1').max(1, 'expected a number from 0 to 1'))
      .default(1),
  });
}

export const configSchema = z.strictObject({
  core: z
    .strictObject({
      dags_folder: z.string().min(1).default('./dags'),
    })
    .prefault({}),
  database: z
    .strictObject({
      /** Default: SQLite file `tidemark.db` in the home folder. */
      url: z.string().min(1).optional(),
      /** SQLite: how long a statement waits for another process's lock before answering 503. */
      sqlite_busy_timeout: duration().default(5_000),
    })
    .prefault({}),
  state: z
    .strictObject({
      backend: z.string().min(1).default('metastore'),
      max_value_bytes: integer(0).default(65_536),
      default_retention: duration().default(30 * 86_400_000),
      history_depth: integer(0).default(10),
      gc_interval: duration().default(3_600_000),
      gc_batch_size: integer(1).default(5_000),
      /** Group commit: state writes sharing one transaction (PostgreSQL rewrites: one statement) at most; 1 = one per write. */
      write_batch_size: integer(1).default(64),
      clear_on_success: flag().default(false),
      /** Encrypts state values at rest (AES-256-GCM); unset = values are stored as plain JSON. */
      encryption_key: encryptionKey().optional(),
      /** Keys that values may still be encrypted with; read, never written (`state-store rotate-key`). */
      encryption_old_keys: encryptionKeyList().optional(),
      offload: offloadSchema().prefault({}),
      ...offloadEnvironmentKeys,
    })
    .transform(foldOffloadKeys)
    .prefault({}),
  api: z
    .strictObject({
      host: z.string().min(1).default('127.0.0.1'),
      port: integer(0).default(8080),
      /** Signs execution tokens. Default: generated once into `<home>/secret-key`. */
      secret_key: z.string().min(32, 'expected at least 32 characters').optional(),
      /** How long an attempt token lives before the supervisor must refresh it. */
      token_ttl: duration().default(600_000),
      /**
       * Signs user tokens (POST /auth/token). Kept apart from secret_key, which workers hold, so that
       * neither a worker host nor task code can mint an admin token. Default: `<home>/session-key`.
       */
      session_key: z.string().min(32, 'expected at least 32 characters').optional(),
      /** How long a user's token from POST /auth/token lives. */
      user_token_ttl: duration()
        .refine((ms) => ms >= 1_000, 'expected at least 1s')
        .default(86_400_000),
      /** The password `standalone` gives user admin when it creates it (else generated and printed once). */
      admin_password: z.string().min(8, 'expected at least 8 characters').optional(),
    })
    .prefault({}),
  scheduler: z
    .strictObject({
      task_heartbeat_timeout: duration().default(30_000),
      /** Pause between scheduling passes. */
      loop_interval: duration().default(250),
      /** How often the DAG processor looks for new or changed DAG files. */
      dag_scan_interval: duration().default(5_000),
    })
    .prefault({}),
  worker: z
    .strictObject({
      /** The api-server a separate worker talks to, e.g. http://127.0.0.1:8080. */
      api_url: z.string().url().optional(),
      /** Attempts run at once. */
      parallelism: integer(1).default(8),
      /** After SIGTERM (timeout, stop), how long a task may take to exit before SIGKILL. */
      kill_grace_period: duration().default(5_000),
      /** Pause between claims when there is nothing to do (a claim itself waits up to 1 s for work). */
      poll_interval: duration().default(200),
      /** Task processes kept started ahead of claims, so an attempt skips Node's start-up; 0: none. */
      warm_processes: integer(0).default(1),
      /**
       * Attempts one task process runs one after another before it is replaced (after a crash, a
       * timeout kill, a DAG file change or the memory ceiling it is replaced sooner); 1: a fresh
       * process per attempt.
       */
      max_attempts_per_process: integer(1).default(100),
      /** A reused task process whose resident memory is above this after an attempt is replaced; 0: no ceiling. */
      max_process_memory_mb: integer(0).default(512),
    })
    .prefault({}),
  triggerer: z
    .strictObject({
      /** The api-server a separate triggerer talks to (defaults to worker.api_url). */
      api_url: z.string().url().optional(),
      /** Watchers one triggerer runs at most. */
      capacity: integer(1).default(1_000),
      /** A triggerer's watchers move to another triggerer this long after it stopped renewing. */
      lease_timeout: duration().default(30_000),
      /** The longest a failing watcher waits before its next try (backoff doubles up to this). */
      max_backoff: duration().default(300_000),
      /** A watcher process that answers nothing this long (a watcher blocked its event loop) is killed. */
      watcher_stall_timeout: duration().default(30_000),
      /** Waits of deferred tasks (SPEC §16) one triggerer runs at most; 0: it runs none. */
      deferral_capacity: integer(0).default(5_000),
    })
    .prefault({}),
  metrics: metricsSchema().prefault({}),
  tracing: tracingSchema().prefault({}),
  logging: z
    .strictObject({
      level: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
      /** `pretty`: one readable line per entry; `json`: pino's JSON lines. */
      format: z.enum(['pretty', 'json']).default('pretty'),
    })
    .prefault({}),
});

export type ConfigInput = z.input<typeof configSchema>;
export type ParsedConfig = z.output<typeof configSchema>;

export interface TidemarkConfig extends Omit<ParsedConfig, 'database'> {
  /** The home folder, absolute. */
  readonly home: string;
  /** `sqlite_busy_timeout` is optional here so that configs built by hand (tests) need not name it. */
  readonly database: Omit<ParsedConfig['database'], 'url' | 'sqlite_busy_timeout'> & {
    readonly url: string;
    readonly sqlite_busy_timeout?: number;
  };
}
