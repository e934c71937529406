import { plainText, TidemarkError, verifyPassword } from '@tidemark/core';
import { findUser } from '@tidemark/db';
import { z } from 'zod';
import type { PublicApp, PublicRouteContext } from './public-route-context.ts';

export const tokenRequestSchema = z.strictObject({ username: plainText().min(1), password: z.string().min(1) });
export const tokenResponseSchema = z.strictObject({
  access_token: z.string(),
  token_type: z.literal('bearer'),
  /** ISO-8601 */
  expires_at: z.string(),
});

// Verifying against a real hash for unknown users keeps their timing the same as a wrong password.
const DUMMY_HASH = 'scrypt$32768$8$1$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA';

/** POST /auth/token: username + password → a bearer token carrying the user's role. */
export function registerAuthTokenRoute(app: PublicApp, context: PublicRouteContext): void {
  app.post(
    '/auth/token',
    {
      schema: {
        tags: ['auth'],
        summary: 'Exchange a username and password for a bearer token',
        // The one public route without a token (the document's default is bearer on every route).
        security: [],
        body: tokenRequestSchema,
        response: { 200: tokenResponseSchema },
      },
    },
    async (request) => {
      const { username, password } = request.body;
      const user = await findUser(context.database.db, username);
      const valid = await verifyPassword(password, user?.passwordHash ?? DUMMY_HASH);
      if (!user || !valid) throw new TidemarkError('invalid_credentials', 'wrong username or password');
      const { token, expiresAt } = context.auth.issue(user.username, user.role, context.config.api.user_token_ttl);
      return { access_token: token, token_type: 'bearer' as const, expires_at: new Date(expiresAt).toISOString() };
    },
  );
}
