import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { resolveConfig } from '@tidemark/core';
import { migrateToLatest, openDatabase } from '@tidemark/db';
import { buildApiServer } from '@tidemark/server';
import openapiTS, { astToString } from 'openapi-typescript';

/**
 * The web UI's API types, generated from the public API's own OpenAPI document by
 * openapi-typescript into a committed file (`npm run generate:ui-api-types`). The UI imports no
 * server code; this file is how its types keep in step with the server's zod contracts, and
 * test/ui/ui-api-types.test.ts fails when the committed file is stale.
 */

export const UI_API_TYPES_FILE = join(
  import.meta.dirname,
  '..',
  '..',
  '..',
  'packages',
  'ui',
  'src',
  'api',
  'public-api.generated.ts',
);

const HEADER = `/**
 * GENERATED from the public API's OpenAPI document (/api/v2/openapi.json) by openapi-typescript.
 * Do not edit: run \`npm run generate:ui-api-types\` after changing an API contract.
 */
`;

/** `/api/v2/openapi.json` of a real api-server, built in this process on a fresh SQLite file. */
export async function fetchPublicOpenApiDocument(): Promise<Record<string, unknown>> {
  const folder = mkdtempSync(join(tmpdir(), 'tidemark-openapi-'));
  const database = openDatabase(`sqlite:${join(folder, 'tidemark.db')}`);
  try {
    await migrateToLatest(database);
    const app = await buildApiServer({
      config: resolveConfig({ home: join(folder, '.tidemark') }),
      database,
      secretKey: 'openapi-types-secret-key-0123456789abcdef',
      sessionKey: 'openapi-types-session-key-0123456789abcdef',
      logsFolder: join(folder, 'logs'),
      uiFolder: join(folder, 'no-ui'),
    });
    try {
      const response = await app.inject({ method: 'GET', url: '/api/v2/openapi.json' });
      if (response.statusCode !== 200) {
        throw new Error(`GET /api/v2/openapi.json answered ${response.statusCode}: ${response.body.slice(0, 300)}`);
      }
      return response.json() as Record<string, unknown>;
    } finally {
      await app.close();
    }
  } finally {
    await database.close();
    rmSync(folder, { recursive: true, force: true });
  }
}

/** The TypeScript source of the UI's API types for `document`. */
export async function renderUiApiTypes(document: Record<string, unknown>): Promise<string> {
  const ast = await openapiTS(withoutDanglingRefs(document) as unknown as Parameters<typeof openapiTS>[0], {
    immutable: true,
    alphabetize: true,
  });
  return HEADER + astToString(ast);
}

/**
 * fastify-type-provider-zod writes a recursive schema (`z.json()`, an asset event's `extra`) as a
 * `$ref` to a component it never adds (`#/components/schemas/schema0`); openapi-typescript refuses
 * a dangling reference. Such a value is any JSON: it becomes `unknown` here.
 */
function withoutDanglingRefs(document: Record<string, unknown>): Record<string, unknown> {
  const components = (document.components ?? {}) as { schemas?: Record<string, unknown> };
  const known = new Set(Object.keys(components.schemas ?? {}).map((name) => `#/components/schemas/${name}`));
  return JSON.parse(JSON.stringify(document), (_key, value: unknown) => {
    const ref = (value as { $ref?: unknown } | null)?.$ref;
    return typeof ref === 'string' && !known.has(ref) ? {} : value;
  }) as Record<string, unknown>;
}

export function readCommittedUiApiTypes(): string {
  return readFileSync(UI_API_TYPES_FILE, 'utf8');
}

async function main(): Promise<void> {
  const source = await renderUiApiTypes(await fetchPublicOpenApiDocument());
  writeFileSync(UI_API_TYPES_FILE, source);
  process.stdout.write(`wrote ${UI_API_TYPES_FILE}\n`);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  main().catch((error: unknown) => {
    process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  });
}
