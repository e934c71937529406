import { describe, expect, it } from 'vitest';
import {
  fetchPublicOpenApiDocument,
  readCommittedUiApiTypes,
  renderUiApiTypes,
  UI_API_TYPES_FILE,
} from './support/ui-api-types.ts';

/**
 * The UI's API types are generated from the server's own OpenAPI document and committed; this
 * regenerates them from a real api-server and fails when the committed file is stale, so a contract
 * change cannot leave the UI reading fields the server no longer sends.
 */
describe("the UI's generated API types", () => {
  it('match what the live public API document generates', async () => {
    const fresh = await renderUiApiTypes(await fetchPublicOpenApiDocument());
    expect(
      readCommittedUiApiTypes() === fresh,
      `${UI_API_TYPES_FILE} is stale: run "npm run generate:ui-api-types" and commit the result`,
    ).toBe(true);
    expect(fresh).toContain('"/api/v2/dags/{dag_id}/dagRuns/{dag_run_id}/taskInstances"');
  });
});
