import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import { OFFLOAD_REF_FIELD, offloadRefOf, StateEncryptionKeyError, type TidemarkConfig } from '@tidemark/core';

/**
 * SPEC §17 encryption at rest: what the metastore backend does to a state value's JSON text on its
 * way into the metadata database (`seal`) and out of it (`open`). AES-256-GCM, a random 96-bit nonce
 * per write, stored as one text:
 *
 *     enc:v1:<key id>:<nonce, base64>:<ciphertext and 16-byte tag, base64>
 *
 * The key id is the first 4 bytes of the key's SHA-256 in hex, so a read finds the key among the
 * current and old ones. JSON text never starts with `e`, so a value stored before a key was set is
 * told apart and passes through as is. An offload envelope (`{"__tidemark_ref__": …}`) is stored as
 * is too: it holds no user data and garbage collection finds offloaded objects by its text.
 */
export class StateValueCipher {
  /** The key new values are sealed with; undefined = values are stored as plain JSON. */
  readonly #current: StateKey | undefined;
  readonly #keys: ReadonlyMap<string, StateKey>;

  constructor(current: StateKey | undefined, old: readonly StateKey[] = []) {
    this.#current = current;
    this.#keys = new Map([...old, ...(current ? [current] : [])].map((key) => [key.id, key]));
  }

  get encrypts(): boolean {
    return this.#current !== undefined;
  }

  /** The id of the key new values are sealed with, if any. */
  get currentKeyId(): string | undefined {
    return this.#current?.id;
  }

  /** The stored text of a value's JSON text. */
  seal(json: string): string {
    if (!this.#current || isOffloadEnvelope(json)) return json;
    const nonce = randomBytes(NONCE_BYTES);
    const cipher = createCipheriv(ALGORITHM, this.#current.bytes, nonce);
    const sealed = Buffer.concat([cipher.update(json, 'utf8'), cipher.final(), cipher.getAuthTag()]);
    return `${PREFIX}${this.#current.id}:${nonce.toString('base64')}:${sealed.toString('base64')}`;
  }

  /** The JSON text of a stored value: decrypted when sealed, else as stored. */
  open(stored: string): string {
    if (!isSealed(stored)) return stored;
    const [keyId, nonce, sealed] = stored.slice(PREFIX.length).split(':');
    const key = this.#keys.get(keyId ?? '');
    if (!key) {
      throw new StateEncryptionKeyError(
        this.#keys.size === 0
          ? `it is encrypted (key id ${keyId}) and no key is configured`
          : `it is encrypted with key id ${keyId}, which is neither state.encryption_key nor one of state.encryption_old_keys`,
      );
    }
    const bytes = Buffer.from(sealed ?? '', 'base64');
    if (bytes.length < TAG_BYTES) throw new StateEncryptionKeyError(`its envelope (key id ${keyId}) is cut short`);
    try {
      const decipher = createDecipheriv(ALGORITHM, key.bytes, Buffer.from(nonce ?? '', 'base64'));
      decipher.setAuthTag(bytes.subarray(bytes.length - TAG_BYTES));
      return Buffer.concat([decipher.update(bytes.subarray(0, bytes.length - TAG_BYTES)), decipher.final()]).toString(
        'utf8',
      );
    } catch {
      throw new StateEncryptionKeyError(
        `its envelope (key id ${keyId}) fails authentication (altered, or a wrong key)`,
      );
    }
  }

  /** `open` for a column that may be null (a history tombstone). */
  openNullable(stored: string | null): string | null {
    return stored === null ? null : this.open(stored);
  }

  /** True when rotation has nothing to do for this stored text. */
  isSealedWithCurrentKey(stored: string): boolean {
    if (!this.#current) return !isSealed(stored);
    return stored.startsWith(`${PREFIX}${this.#current.id}:`) || isOffloadEnvelope(stored);
  }
}

export interface StateKey {
  readonly id: string;
  readonly bytes: Buffer;
}

const ALGORITHM = 'aes-256-gcm';
const NONCE_BYTES = 12;
const TAG_BYTES = 16;
const PREFIX = 'enc:v1:';
const OFFLOAD_PREFIX = `{"${OFFLOAD_REF_FIELD}":`;

export function isSealed(stored: string): boolean {
  return stored.startsWith(PREFIX);
}

function isOffloadEnvelope(json: string): boolean {
  if (!json.startsWith(OFFLOAD_PREFIX)) return false;
  try {
    return offloadRefOf(JSON.parse(json)) !== undefined;
  } catch {
    return false;
  }
}

/** A key as the config holds it (base64 of 32 bytes, checked by the config schema). */
export function stateKey(base64: string): StateKey {
  const bytes = Buffer.from(base64, 'base64');
  return { id: createHash('sha256').update(bytes).digest('hex').slice(0, 8), bytes };
}

export const PLAINTEXT_CIPHER = new StateValueCipher(undefined);

const cipherOfConfig = new WeakMap<object, StateValueCipher>();

/** The cipher `state.encryption_key` and `state.encryption_old_keys` describe (one per config). */
export function stateValueCipher(config: Pick<TidemarkConfig, 'state'>): StateValueCipher {
  const { encryption_key: current, encryption_old_keys: old = [] } = config.state;
  if (current === undefined && old.length === 0) return PLAINTEXT_CIPHER;
  let cipher = cipherOfConfig.get(config.state);
  if (!cipher) {
    cipher = new StateValueCipher(current === undefined ? undefined : stateKey(current), old.map(stateKey));
    cipherOfConfig.set(config.state, cipher);
  }
  return cipher;
}
