import { signJwt } from '@tidemark/core';

const TRIGGERER_TOKEN_TTL_MS = 3_600_000;
/** Mint a new token when the cached one has less than this left. */
const TRIGGERER_TOKEN_RENEW_MARGIN_MS = 300_000;

/**
 * The token of a triggerer (SPEC §15.3): a JWT `{sub: <triggerer id>, kind: "triggerer"}` signed
 * with the installation's secret key (`api.secret_key`), like a worker's. Minted locally and reused
 * until close to expiry.
 */
export class TriggererTokenSource {
  readonly #secretKey: string;
  readonly #triggererId: string;
  readonly #now: () => number;
  #token = '';
  #expiresAt = 0;

  constructor(secretKey: string, triggererId: string, now: () => number = Date.now) {
    this.#secretKey = secretKey;
    this.#triggererId = triggererId;
    this.#now = now;
  }

  current(): string {
    const now = this.#now();
    if (now >= this.#expiresAt - TRIGGERER_TOKEN_RENEW_MARGIN_MS) {
      this.#expiresAt = now + TRIGGERER_TOKEN_TTL_MS;
      this.#token = signJwt(
        {
          sub: this.#triggererId,
          kind: 'triggerer',
          iat: Math.floor(now / 1000),
          exp: Math.floor(this.#expiresAt / 1000),
        },
        this.#secretKey,
      );
    }
    return this.#token;
  }
}
