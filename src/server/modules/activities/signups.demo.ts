import type { Database } from '../../db/client.ts';
import { DEMO_EMAIL_DOMAIN, demoCities } from '../../demo/demo-cities.ts';
import { hashSecret, newSecret } from '../accounts/sessions.service.ts';
import { findCityBySlug } from '../cities/cities.repo.ts';
import { listDemoSignupActivities } from './activities.demo.ts';
import { freePlace, insertSignupAsIs, takePlace } from './signups.repo.ts';

/** How many of a city's sign-up activities get demo sign-ups. */
const ACTIVITIES_PER_CITY = 24;

export interface DemoSignupsReport {
  /** Sign-ups created per city slug. */
  created: Record<string, number>;
}

/**
 * Demo sign-ups for the demo activities that take them (run after the activities seeder): the city's demo learners
 * have places in coming sessions, and past sessions of clubs that started weeks ago have their attendance marked —
 * the record participation badges are later awarded from. No emails are sent. Idempotent: a city that already has
 * sign-ups is left as it is.
 */
export async function seedDemoSignups(db: Database): Promise<DemoSignupsReport> {
  const report: DemoSignupsReport = { created: {} };
  for (const { slug } of demoCities) {
    const city = await findCityBySlug(db, slug);
    if (city?.status !== 'active') continue;
    report.created[slug] = 0;
    const [existing] = await db.query<{ n: number }>(
      'SELECT count(*)::int AS n FROM activity_signups WHERE city_id = $1',
      [city.id],
    );
    if ((existing?.n ?? 0) > 0) continue;
    const learners = await db.query<{ id: string }>(
      `SELECT id FROM users WHERE lower(email) LIKE $1 AND deleted_at IS NULL ORDER BY email`,
      [`learner.%.${slug}@${DEMO_EMAIL_DOMAIN}`],
    );
    if (learners.length === 0) continue;
    const activities = (await listDemoSignupActivities(db, city.id)).slice(0, ACTIVITIES_PER_CITY);
    for (const [index, activity] of activities.entries()) {
      const sessions = await db.query<{ id: string; startsAt: Date; past: boolean }>(
        `SELECT id, starts_at AS "startsAt", ends_at <= now() AS past FROM activity_sessions
          WHERE city_id = $1 AND activity_id = $2 AND cancelled_at IS NULL ORDER BY starts_at`,
        [city.id, activity.id],
      );
      // The last two sessions that took place, and the next one to come.
      const chosen = [
        ...sessions.filter((s) => s.past).slice(-2),
        ...sessions.filter((s) => !s.past && s.startsAt.getTime() > Date.now()).slice(0, 1),
      ];
      for (const [sessionIndex, session] of chosen.entries()) {
        // A different handful of learners for each session, in a fixed order so re-seeding an empty city is the same.
        const count = 1 + ((index + sessionIndex) % Math.min(4, learners.length));
        const people = Array.from(
          { length: count },
          (_, i) => learners[(index * 3 + sessionIndex + i) % learners.length] as { id: string },
        );
        const unique = [...new Map(people.map((p) => [p.id, p])).values()];
        for (const [personIndex, person] of unique.entries()) {
          const created = await db.transaction(async (tx) => {
            const confirmed = await takePlace(tx, city.id, session.id);
            if (!confirmed && session.past) return false;
            const inserted = await insertSignupAsIs(tx, city.id, {
              activityId: activity.id,
              sessionId: session.id,
              userId: person.id,
              status: confirmed ? 'confirmed' : 'waitlisted',
              cancelTokenHash: hashSecret(newSecret()),
              // Most came; now and then someone did not.
              attended: session.past && confirmed ? (index + personIndex) % 5 !== 4 : null,
              createdAt: new Date(session.startsAt.getTime() - (3 + personIndex) * 86_400_000),
            });
            if (!inserted && confirmed) await freePlace(tx, city.id, session.id);
            return inserted;
          });
          if (created) report.created[slug] = (report.created[slug] ?? 0) + 1;
        }
      }
    }
  }
  return report;
}
