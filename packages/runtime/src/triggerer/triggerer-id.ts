import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { isTriggererId, TidemarkError } from '@tidemark/core';

/**
 * A new triggerer id, `hostname:pid:random`: a restarted triggerer is a new one (its old leases
 * expire), and two triggerers on one host never share an id.
 */
export function newTriggererId(host: string = hostname(), pid: number = process.pid): string {
  const safeHost = host.replace(/[^A-Za-z0-9._@-]/g, '-').slice(0, 150) || 'host';
  return `${safeHost}:${pid}:${randomBytes(4).toString('hex')}`;
}

export function checkTriggererId(id: string): string {
  if (isTriggererId(id)) return id;
  throw new TidemarkError(
    'invalid_config',
    `triggerer id ${JSON.stringify(id)} is invalid: use 1–200 characters among letters, digits, ".", "_", ":", "@" and "-"`,
  );
}
