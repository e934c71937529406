import { ConfigError, type StateBackend, type TidemarkConfig } from '@tidemark/core';
import { type MetadataDatabase, MetastoreStateBackend, stateValueCipher } from '@tidemark/db';
import Fastify, { type FastifyBaseLogger, type FastifyInstance, type FastifyServerOptions } from 'fastify';
import type { Registry } from 'prom-client';
import { installErrorHandling } from './errors/error-handler.ts';
import { handleFrameworkError, MAX_PATH_PARAMETER_LENGTH } from './errors/framework-errors.ts';
import { executionApi } from './execution/execution-api.ts';
import { ExecutionAuth } from './execution/execution-auth.ts';
import { TaskInstanceIdentities } from './execution/task-instance-identities.ts';
import { registerHealthRoute } from './health-route.ts';
import { installObservability } from './observability/install-observability.ts';
import { instrumentStateBackend } from './observability/instrumented-state-backend.ts';
import { registerOpenApi } from './openapi/openapi-documents.ts';
import { registerPublicApi } from './public/public-api.ts';
import { UserAuth } from './public/user-auth.ts';
import { installJsonBodyParser } from './request-body/json-body-parser.ts';
import { newRequestId, requestLogController, sendRequestIds } from './request-id.ts';
import { installUrlTextGuard } from './request-url/url-text-guard.ts';
import { registerWebUiRoute } from './ui/web-ui-route.ts';

export interface ApiServerOptions {
  readonly config: TidemarkConfig;
  readonly database: MetadataDatabase;
  /** Signs and verifies execution tokens (core `resolveSecretKey`); workers hold it too. */
  readonly secretKey: string;
  /** Signs and verifies user tokens; must differ from `secretKey`, which workers and their tasks can read. */
  readonly sessionKey: string;
  /** Where attempt logs are written. */
  readonly logsFolder: string;
  /** Default: the metastore backend with the configured limits (the CLI passes `createStateBackend`'s). */
  readonly stateBackend?: StateBackend;
  /** The process logger (the CLI's pino logger); 5xx answers are logged to it with their stack and request id. */
  readonly loggerInstance?: FastifyBaseLogger;
  /** Fastify's `logger` option (pino options) when there is no `loggerInstance`. Default: errors only, to stderr. */
  readonly logger?: FastifyServerOptions['logger'];
  /** Epoch ms; for tests. */
  readonly clock?: () => number;
  /** The built web UI served at `/`; default packages/ui/dist. */
  readonly uiFolder?: string;
  /** Test hook: a claim with `wait_ms` found nothing queued and starts waiting for work. */
  readonly onClaimWaiting?: () => void;
  /** Where GET /metrics reads from (the CLI's process registry); default: the app's own. */
  readonly metricsRegistry?: Registry;
}

/** Log batches (up to 10 000 lines) and XCom values above the default 1 MiB must fit. */
const BODY_LIMIT_BYTES = 16 * 1_048_576;

/** The api-server's Fastify app, ready but not listening (the CLI listens). */
export async function buildApiServer(options: ApiServerOptions): Promise<FastifyInstance> {
  if (options.sessionKey === options.secretKey) {
    throw new ConfigError(
      'api.session_key must differ from api.secret_key: workers hold the secret key, and with it they could sign user tokens',
    );
  }
  const app = Fastify({
    ...loggerOptions(options),
    genReqId: newRequestId,
    logController: requestLogController(),
    bodyLimit: BODY_LIMIT_BYTES,
    routerOptions: { maxParamLength: MAX_PATH_PARAMETER_LENGTH },
    frameworkErrors: handleFrameworkError,
  });
  sendRequestIds(app);
  installJsonBodyParser(app);
  installUrlTextGuard(app);
  installErrorHandling(app);
  registerHealthRoute(app, options.database);
  await registerOpenApi(app);
  const now = options.clock ?? Date.now;
  const observability = installObservability(app, { ...options, registry: options.metricsRegistry, now });
  // One backend for both APIs.
  const configuredBackend =
    options.stateBackend ??
    new MetastoreStateBackend(
      options.database,
      {
        maxValueBytes: options.config.state.max_value_bytes,
        historyDepth: options.config.state.history_depth,
        clock: now,
      },
      stateValueCipher(options.config),
    );
  // Timed (metrics, spans) around each operation.
  const stateBackend = instrumentStateBackend(configuredBackend, observability);
  await app.register(executionApi, {
    config: options.config,
    database: options.database,
    secretKey: options.secretKey,
    logsFolder: options.logsFolder,
    auth: new ExecutionAuth(options.secretKey, now),
    identities: new TaskInstanceIdentities(options.database.db),
    stateBackend,
    now,
    metrics: observability.metrics,
    ...(options.onClaimWaiting ? { onClaimWaiting: options.onClaimWaiting } : {}),
  });
  await registerPublicApi(app, {
    config: options.config,
    database: options.database,
    auth: new UserAuth(options.sessionKey, now),
    stateBackend,
    logsFolder: options.logsFolder,
    now,
  });
  registerWebUiRoute(app, options.uiFolder);
  return app;
}

/** A 5xx is always logged somewhere: the given logger, else errors only to stderr. */
function loggerOptions(options: ApiServerOptions): Pick<FastifyServerOptions, 'logger' | 'loggerInstance'> {
  if (options.loggerInstance) return { loggerInstance: options.loggerInstance };
  return { logger: options.logger ?? { level: 'error', stream: process.stderr } };
}
