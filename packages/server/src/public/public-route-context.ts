import type { StateBackend, TidemarkConfig } from '@tidemark/core';
import type { MetadataDatabase } from '@tidemark/db';
import type {
  FastifyBaseLogger,
  FastifyInstance,
  RawReplyDefaultExpression,
  RawRequestDefaultExpression,
  RawServerDefault,
} from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { UserAuth } from './user-auth.ts';

/** The Fastify instance public routes register on: request/response typed by their zod schemas. */
export type PublicApp = FastifyInstance<
  RawServerDefault,
  RawRequestDefaultExpression,
  RawReplyDefaultExpression,
  FastifyBaseLogger,
  ZodTypeProvider
>;

/** What every public route module receives. */
export interface PublicRouteContext {
  readonly config: TidemarkConfig;
  readonly database: MetadataDatabase;
  readonly auth: UserAuth;
  /** The configured state backend (`state.backend`): clears of task state go through it. */
  readonly stateBackend: StateBackend;
  readonly logsFolder: string;
  readonly now: () => number;
}
