import { signJwt } from '@tidemark/core';

const WORKER_TOKEN_TTL_MS = 3_600_000;
/** Mint a new token when the cached one has less than this left. */
const WORKER_TOKEN_RENEW_MARGIN_MS = 300_000;

/**
 * The worker token that authorizes claiming: a JWT `{sub: "worker", kind: "worker"}` signed with
 * the installation's secret key (`api.secret_key`). Minted locally and reused until close to expiry.
 */
export class WorkerTokenSource {
  readonly #secretKey: string;
  readonly #now: () => number;
  #token = '';
  #expiresAt = 0;

  constructor(secretKey: string, now: () => number = Date.now) {
    this.#secretKey = secretKey;
    this.#now = now;
  }

  current(): string {
    const now = this.#now();
    if (now >= this.#expiresAt - WORKER_TOKEN_RENEW_MARGIN_MS) {
      this.#expiresAt = now + WORKER_TOKEN_TTL_MS;
      this.#token = signJwt(
        { sub: 'worker', kind: 'worker', iat: Math.floor(now / 1000), exp: Math.floor(this.#expiresAt / 1000) },
        this.#secretKey,
      );
    }
    return this.#token;
  }
}
