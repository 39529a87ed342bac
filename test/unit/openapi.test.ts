import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { generateOpenApiDocument } from '../../src/cli/commands.ts';

describe('the committed OpenAPI document', () => {
  it('matches the route schemas (run `npm run openapi` after changing an API)', async () => {
    const committed = fs.readFileSync(new URL('../../docs/api/openapi.json', import.meta.url), 'utf8');
    expect(await generateOpenApiDocument()).toBe(committed);
  });

  it('documents every API operation with an id, a tag and its error responses', async () => {
    const document = JSON.parse(await generateOpenApiDocument());
    for (const [path, operations] of Object.entries(
      document.paths as Record<
        string,
        Record<string, { operationId?: string; tags?: string[]; responses: Record<string, unknown> }>
      >,
    )) {
      for (const [method, operation] of Object.entries(operations)) {
        expect(operation.operationId, `${method} ${path}`).toBeTruthy();
        expect(operation.tags?.length, `${method} ${path}`).toBeGreaterThan(0);
      }
    }
  });
});
