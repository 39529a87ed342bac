import { describe, expect, it } from 'vitest';
import { describeVenue, formatSessionWhen, renderSignupEmail } from '../../../web/emails/signups.ts';
import type { CityRecord } from '../cities/cities.repo.ts';
import { attendanceMarksFrom } from './signups.pages.ts';
import { attendeesCsv } from './signups.routes.ts';
import type { AttendeeList, SessionContext } from './signups.service.ts';
import { emailLanguageFor, signupClosedReason, titleIn } from './signups.service.ts';

const session: SessionContext = {
  sessionId: '6f1c2a1e-0000-4000-8000-000000000001',
  cityId: 'c',
  activityId: 'a',
  organisationId: 'o',
  organisationName: 'Žirmūnai Makers',
  activitySlug: 'robotics',
  activityTitle: { en: 'Robotics', lt: 'Robotika' },
  activityStatus: 'published',
  signupMode: 'internal',
  format: 'in_person',
  onlineUrl: null,
  venueName: 'Library',
  venueStreet: 'Gedimino pr. 9',
  venuePostcode: 'LT-01103',
  venueLocality: 'Vilnius',
  startsAt: new Date('2026-03-28T16:00:00Z'),
  endsAt: new Date('2026-03-28T18:00:00Z'),
  allDay: false,
  capacity: 10,
  confirmedCount: 3,
  waitlistCount: 0,
  cancelledAt: null,
  started: false,
};

describe('sign-up formatting and rules', () => {
  it("gives dates in the city's time zone and language", () => {
    expect(formatSessionWhen(session, 'Europe/Vilnius', 'en')).toMatch(/Saturday.*28 March 2026.*18:00.*20:00/);
    expect(formatSessionWhen(session, 'Europe/London', 'en')).toMatch(/16:00.*18:00/);
    expect(formatSessionWhen(session, 'Europe/Vilnius', 'lt')).toMatch(/kovo 28.*18:00.*20:00/);
    // An all-day session ends at the next local midnight: it is one day, not two.
    const allDay = {
      startsAt: new Date('2026-03-27T22:00:00Z'),
      endsAt: new Date('2026-03-28T22:00:00Z'),
      allDay: true,
    };
    expect(formatSessionWhen(allDay, 'Europe/Vilnius', 'en')).toMatch(/^Saturday,? 28 March 2026$/);
  });

  it('says where: the address, online, or both', () => {
    expect(describeVenue(session, 'en')).toBe('Library, Gedimino pr. 9, LT-01103 Vilnius');
    expect(describeVenue({ ...session, format: 'online', onlineUrl: 'https://meet.example.org/x' }, 'en')).toBe(
      'Online: https://meet.example.org/x',
    );
    expect(describeVenue({ ...session, format: 'blended' }, 'it')).toBe(
      'Library, Gedimino pr. 9, LT-01103 Vilnius oppure online (Online)',
    );
    expect(
      describeVenue({ ...session, venueName: null, venueStreet: null, venuePostcode: null, venueLocality: null }, 'en'),
    ).toBe('The organiser will tell you where');
  });

  it('writes to people in the language they use, else one they read that the city offers', () => {
    const city = { languages: ['lt', 'en'], defaultLanguage: 'lt' } as CityRecord;
    expect(emailLanguageFor(city, { languages: ['fr'] }, 'en')).toBe('en');
    expect(emailLanguageFor(city, { languages: ['fr', 'en'] })).toBe('en');
    expect(emailLanguageFor(city, { languages: ['it'] }, 'it')).toBe('lt');
    expect(titleIn({ lt: 'Robotika' }, 'en', 'lt')).toBe('Robotika');
  });

  it('knows when a session takes no sign-ups', () => {
    expect(signupClosedReason(session)).toBeNull();
    expect(signupClosedReason({ ...session, signupMode: 'external' })).toBe('not_internal');
    expect(signupClosedReason({ ...session, cancelledAt: new Date() })).toBe('cancelled');
    expect(signupClosedReason({ ...session, started: true })).toBe('started');
  });

  it('renders every email with text and HTML, escaping what people typed', () => {
    const email = renderSignupEmail({
      kind: 'confirmed',
      language: 'lt',
      url: 'https://learnscape.test/c/vilnius/sign-ups/cancel/abc',
      vars: { name: 'Rūta', activity: '<b>Robotika</b>', organisation: 'Makers', when: 'šeštadienį', where: 'Vilnius' },
    });
    expect(email.subject).toBe('Jūsų vieta patvirtinta: <b>Robotika</b>');
    expect(email.text).toContain('https://learnscape.test/c/vilnius/sign-ups/cancel/abc');
    expect(email.html).toContain('&lt;b&gt;Robotika&lt;/b&gt;');
    expect(email.html).not.toContain('<b>Robotika');
    for (const kind of ['waitlisted', 'promoted', 'cancelled', 'reminder'] as const) {
      const rendered = renderSignupEmail({ kind, language: 'it', vars: { activity: 'Robotica', position: '2' } });
      expect(rendered.subject).toContain('Robotica');
      expect(rendered.text.startsWith('Ciao,')).toBe(true);
    }
  });

  it('reads the bulk attendance form and ignores other fields', () => {
    const id1 = '6f1c2a1e-0000-4000-8000-000000000001';
    const id2 = '6f1c2a1e-0000-4000-8000-000000000002';
    const id3 = '6f1c2a1e-0000-4000-8000-000000000003';
    expect(
      attendanceMarksFrom({
        _csrf: 'x',
        [`attended_${id1}`]: 'yes',
        [`attended_${id2}`]: 'no',
        [`attended_${id3}`]: '',
        attended_nonsense: 'yes',
      }),
    ).toEqual([
      { signupId: id1, attended: true },
      { signupId: id2, attended: false },
      { signupId: id3, attended: null },
    ]);
  });

  it('exports the attendee list as CSV with localized headers, quoting where needed', () => {
    const list: AttendeeList = {
      session,
      attendees: [
        {
          signupId: 's1',
          userId: 'u1',
          displayName: 'Petras, Jr.',
          email: 'petras@example.org',
          accountStatus: 'active',
          status: 'confirmed',
          waitlistPosition: null,
          attended: true,
          attendanceMarkedAt: new Date(),
          signedUpAt: new Date('2026-03-01T10:00:00Z'),
        },
        {
          signupId: 's2',
          userId: 'u2',
          displayName: 'Ona',
          email: '',
          accountStatus: 'limited',
          status: 'waitlisted',
          waitlistPosition: 1,
          attended: null,
          attendanceMarkedAt: null,
          signedUpAt: new Date('2026-03-02T10:00:00Z'),
        },
      ],
    };
    const lines = attendeesCsv(list, 'lt')
      .replace(/^\uFEFF/, '')
      .trim()
      .split('\n');
    expect(lines[0]).toBe('Vardas,El. paštas,Būsena,Eilė laukiančiųjų sąraše,Užsiregistravo,Dalyvavo');
    expect(lines[1]).toBe('"Petras, Jr.",petras@example.org,Patvirtinta,,2026-03-01T10:00:00.000Z,taip');
    expect(lines[2]).toBe('Ona,,"Laukiančiųjų sąraše, eilės Nr. 1",1,2026-03-02T10:00:00.000Z,');
  });
});
