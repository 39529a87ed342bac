import type { FetchJson } from '../../../credentials/index.ts';
import type { TestApp } from '../../../../test/helpers/test-app.ts';

// Fixtures shared by the issuer and endorsement tests.

/** A published badge row written directly (the badge module's service is not needed to list or endorse it). */
export async function insertPublishedBadge(
  t: TestApp,
  cityId: string,
  organisationId: string,
  slug: string,
  status: 'published' | 'draft' = 'published',
): Promise<string> {
  const [row] = await t.db.query<{ id: string }>(
    `INSERT INTO badge_classes (city_id, organisation_id, slug, status, kind, name, description, criteria,
       image_content_type, image_bytes, image_alt, published_at)
     VALUES ($1, $2, $3, $4, 'skill', $5, $6, $7, 'image/png', $8, $9, now()) RETURNING id`,
    [
      cityId,
      organisationId,
      slug,
      status,
      JSON.stringify({ en: `Badge ${slug}`, lt: `Ženklelis ${slug}` }),
      JSON.stringify({ en: 'A test badge.' }),
      JSON.stringify({ en: 'Take part.' }),
      Buffer.from([0x89, 0x50, 0x4e, 0x47]),
      JSON.stringify({ en: 'A round badge' }),
    ],
  );
  return (row as { id: string }).id;
}

/** Resolves the app's own URLs through app.inject, as a verifier on the internet would fetch them. */
export function injectFetch(t: TestApp): FetchJson {
  return async (url) => {
    const { pathname, search } = new URL(url);
    const response = await t.app.inject({
      method: 'GET',
      url: `${pathname}${search}`,
      headers: { accept: 'application/json' },
    });
    if (response.statusCode !== 200) throw new Error(`${url} answered ${response.statusCode}`);
    return response.json();
  };
}
