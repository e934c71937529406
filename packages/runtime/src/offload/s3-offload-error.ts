import { TidemarkError } from '@tidemark/core';

const CREDENTIAL_ERRORS = [
  'CredentialsProviderError',
  'InvalidAccessKeyId',
  'SignatureDoesNotMatch',
  'AccessDenied',
  'ExpiredToken',
  'InvalidToken',
];
const NETWORK_ERRORS = [
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ECONNRESET',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'TimeoutError',
];

function fixFor(name: string, bucket: string, said: string): string {
  if (name === 'NoSuchBucket') {
    return `the bucket does not exist; create it (e.g. "aws s3 mb s3://${bucket}" or "mc mb <alias>/${bucket}") or set state.offload.s3.bucket to an existing one`;
  }
  if (CREDENTIAL_ERRORS.includes(name)) {
    return `the store refused the credentials (${said}); set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (or AWS_PROFILE, or a role) for a user that may read and write the bucket`;
  }
  if (NETWORK_ERRORS.includes(name)) {
    return `the store could not be reached (${said || name}); check state.offload.s3.endpoint and state.offload.s3.region, and that the store is running`;
  }
  return `${said || name}; check the state.offload.s3 settings and the store's logs`;
}

/** The S3 error code (`NoSuchBucket`), else the system error code (`ECONNREFUSED`), else the name. */
export function s3ErrorName(error: unknown): string {
  if (typeof error !== 'object' || error === null) return 'Error';
  const { name, code, Code } = error as { name?: unknown; code?: unknown; Code?: unknown };
  if (typeof Code === 'string') return Code;
  if (typeof code === 'string' && NETWORK_ERRORS.includes(code)) return code;
  const aggregate = (error as { errors?: unknown[] }).errors?.[0];
  if (aggregate !== undefined) {
    const inner = s3ErrorName(aggregate);
    if (NETWORK_ERRORS.includes(inner)) return inner;
  }
  return typeof name === 'string' ? name : 'Error';
}

/** An S3 failure as a worker or `tidemark state-store gc` reports it: what, where, and the fix. */
export class S3OffloadError extends TidemarkError {
  // The SDK's error is not kept as `cause`: it holds the whole HTTP response, and the message says what it said.
  constructor(doing: string, bucket: string, where: string, cause: unknown) {
    const name = s3ErrorName(cause);
    const said = cause instanceof Error ? cause.message : String(cause);
    super('offload_failed', `could not ${doing} in bucket "${bucket}" at ${where}: ${fixFor(name, bucket, said)}`, {
      bucket,
      endpoint: where,
      reason: name,
    });
  }
}
