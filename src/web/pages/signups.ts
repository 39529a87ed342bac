import { csrfField } from '../forms.ts';
import { html, type SafeHtml } from '../html.ts';
import { layout, type PageContext } from '../layout.ts';

/**
 * Pages of taking part: confirming a sign-up, its result, the emailed cancel link, "My activities", and the
 * organiser's attendee list with the attendance form. The server formats dates (in the city's time zone) and places;
 * these functions lay them out.
 */

export interface SessionSummaryView {
  activityTitle: string;
  activityUrl: string;
  organisationName: string;
  when: string;
  where: string;
  capacity: number | null;
  confirmedCount: number;
  waitlistCount: number;
}

function placesText(context: PageContext, s: SessionSummaryView): string {
  const { t } = context;
  if (s.capacity === null) return t('signups:places.unlimited');
  if (s.confirmedCount < s.capacity) {
    return t('signups:places.left', { count: s.capacity - s.confirmedCount, capacity: s.capacity });
  }
  return t('signups:places.full', { waiting: s.waitlistCount });
}

function sessionFacts(context: PageContext, s: SessionSummaryView, withPlaces: boolean): SafeHtml {
  const { t } = context;
  return html`<dl class="facts">
    <dt>${t('signups:signUp.when')}</dt><dd>${s.when}</dd>
    <dt>${t('signups:signUp.where')}</dt><dd>${s.where}</dd>
    <dt>${t('signups:signUp.organiser')}</dt><dd>${s.organisationName}</dd>
    ${withPlaces ? html`<dt>${t('signups:signUp.places')}</dt><dd>${placesText(context, s)}</dd>` : ''}
  </dl>`;
}

export type SignUpState =
  | { kind: 'anonymous'; signInUrl: string; createAccountUrl: string }
  | { kind: 'open'; formAction: string; sessionId: string; limited: boolean; error?: string }
  | { kind: 'exists'; status: 'confirmed' | 'waitlisted'; position: number | null; mineUrl: string }
  | { kind: 'closed'; reason: 'not_internal' | 'cancelled' | 'started' };

/** The confirm page: the session's details and places, then one button (or why not). */
export function signUpPage(
  context: PageContext,
  data: { session: SessionSummaryView; state: SignUpState; otherDatesUrl: string },
): SafeHtml {
  const { t } = context;
  const { session, state } = data;
  const full = session.capacity !== null && session.confirmedCount >= session.capacity;
  let action: SafeHtml;
  switch (state.kind) {
    case 'anonymous':
      action = html`<p>${t('signups:signUp.signInHint')}</p>
  <p class="button-row"><a class="button" href="${state.signInUrl}">${t('signups:signUp.signInFirst')}</a>
  <a class="button button-secondary" href="${state.createAccountUrl}">${t('signups:signUp.createAccount')}</a></p>`;
      break;
    case 'open':
      action = html`${state.error ? html`<p class="field-error" role="alert">${state.error}</p>` : ''}
  ${state.limited ? html`<p class="notice">${t('signups:signUp.limitedNote')}</p>` : ''}
  <form method="post" action="${state.formAction}" class="form">
    ${csrfField(context.csrfToken)}
    <input type="hidden" name="session" value="${state.sessionId}">
    <div><button class="button" type="submit">${full ? t('signups:signUp.joinWaitlist') : t('signups:signUp.confirm')}</button></div>
  </form>`;
      break;
    case 'exists':
      action = html`<p class="success">${
        state.status === 'confirmed'
          ? t('signups:signUp.alreadyConfirmed')
          : t('signups:signUp.alreadyWaiting', { position: state.position ?? '' })
      }</p>
  <p><a href="${state.mineUrl}">${t('signups:signUp.seeMine')}</a></p>`;
      break;
    case 'closed':
      action = html`<p class="notice">${t(`signups:closed.${state.reason}`)}</p>`;
      break;
  }
  return layout(context, {
    title: t('signups:signUp.title', { activity: session.activityTitle }),
    body: html`<div class="container section narrow">
  <h1>${t('signups:signUp.title', { activity: session.activityTitle })}</h1>
  ${state.kind === 'open' ? html`<p>${t('signups:signUp.intro')}</p>` : ''}
  ${sessionFacts(context, session, true)}
  ${action}
  <p><a href="${data.otherDatesUrl}">${t('signups:signUp.otherDates')}</a> · <a href="${session.activityUrl}">${t('signups:signUp.backToActivity')}</a></p>
</div>`,
  });
}

/** Choosing a date when the sign-up link names none. */
export function chooseSessionPage(
  context: PageContext,
  data: {
    activityTitle: string;
    activityUrl: string;
    sessions: { url: string; when: string; places: SessionSummaryView }[];
  },
): SafeHtml {
  const { t } = context;
  return layout(context, {
    title: t('signups:signUp.chooseTitle', { activity: data.activityTitle }),
    body: html`<div class="container section narrow">
  <h1>${t('signups:signUp.chooseTitle', { activity: data.activityTitle })}</h1>
  ${
    data.sessions.length === 0
      ? html`<p>${t('signups:signUp.noSessions')}</p>`
      : html`<p>${t('signups:signUp.chooseIntro')}</p>
  <ul class="session-list">${data.sessions.map(
    (s) => html`<li><a href="${s.url}">${t('signups:signUp.choose', { when: s.when })}</a><br>
    <span class="hint">${placesText(context, s.places)}</span></li>`,
  )}</ul>`
  }
  <p><a href="${data.activityUrl}">${t('signups:signUp.backToActivity')}</a></p>
</div>`,
  });
}

/** After signing up: a place, or a number on the waiting list. */
export function signupResultPage(
  context: PageContext,
  data: {
    status: 'confirmed' | 'waitlisted' | 'cancelled';
    position: number | null;
    session: SessionSummaryView;
    email: string;
    mineUrl: string;
    justSignedUp: boolean;
  },
): SafeHtml {
  const { t } = context;
  const title =
    data.status === 'confirmed'
      ? t('signups:result.confirmedTitle')
      : data.status === 'waitlisted'
        ? t('signups:result.waitlistedTitle')
        : t('signups:result.cancelledTitle');
  return layout(context, {
    title,
    body: html`<div class="container section narrow">
  <h1>${title}</h1>
  ${
    data.status === 'confirmed'
      ? html`<p class="success" role="status">${t('signups:result.confirmedText', { activity: data.session.activityTitle })}</p>`
      : data.status === 'waitlisted'
        ? html`<p class="notice" role="status">${t('signups:result.waitlistedText', { activity: data.session.activityTitle, position: data.position ?? '' })}</p>`
        : ''
  }
  ${sessionFacts(context, data.session, false)}
  ${data.justSignedUp && data.status !== 'cancelled' ? html`<p>${t('signups:result.emailSent', { email: data.email })}</p>` : ''}
  <p class="button-row"><a class="button" href="${data.mineUrl}">${t('signups:signUp.seeMine')}</a>
  <a class="button button-secondary" href="${data.session.activityUrl}">${t('signups:signUp.backToActivity')}</a></p>
</div>`,
  });
}

/** The emailed cancel link: asks first (GET never cancels), then confirms. */
export function cancelLinkPage(
  context: PageContext,
  data: {
    state: 'confirm' | 'done' | 'already' | 'started';
    session: SessionSummaryView;
    formAction: string;
  },
): SafeHtml {
  const { t } = context;
  const title =
    data.state === 'confirm'
      ? t('signups:cancel.title')
      : data.state === 'done'
        ? t('signups:cancel.doneTitle')
        : data.state === 'already'
          ? t('signups:cancel.alreadyCancelled')
          : t('signups:cancel.title');
  return layout(context, {
    title,
    body: html`<div class="container section narrow">
  <h1>${title}</h1>
  ${data.state === 'confirm' ? html`<p>${t('signups:cancel.intro')}</p>` : ''}
  ${data.state === 'done' ? html`<p class="success" role="status">${t('signups:cancel.doneText')}</p>` : ''}
  ${data.state === 'started' ? html`<p class="notice">${t('signups:cancel.startedText')}</p>` : ''}
  <h2>${data.session.activityTitle}</h2>
  ${sessionFacts(context, data.session, false)}
  ${
    data.state === 'confirm'
      ? html`<form method="post" action="${data.formAction}" class="form">
    ${csrfField(context.csrfToken)}
    <p class="button-row"><button class="button button-danger" type="submit">${t('signups:cancel.button')}</button>
    <a class="button button-secondary" href="${data.session.activityUrl}">${t('signups:cancel.keep')}</a></p>
  </form>`
      : html`<p><a href="${data.session.activityUrl}">${t('signups:signUp.backToActivity')}</a></p>`
  }
</div>`,
  });
}

export function cancelLinkInvalidPage(context: PageContext): SafeHtml {
  const { t } = context;
  return layout(context, {
    title: t('signups:cancel.invalidTitle'),
    body: html`<div class="container section narrow">
  <h1>${t('signups:cancel.invalidTitle')}</h1>
  <p>${t('signups:cancel.invalidText')}</p>
</div>`,
  });
}

export interface MySignupView {
  id: string;
  activityTitle: string;
  activityUrl: string;
  when: string;
  status: 'confirmed' | 'waitlisted' | 'cancelled';
  position: number | null;
  attended: boolean | null;
  /** Where the cancel button posts, when the sign-up can still be cancelled. */
  cancelAction: string | null;
}

function statusText(context: PageContext, s: MySignupView): string {
  const { t } = context;
  if (s.status === 'cancelled') return t('signups:status.cancelled');
  if (s.attended === true) return t('signups:status.attended');
  if (s.attended === false) return t('signups:status.notAttended');
  return s.status === 'waitlisted'
    ? t('signups:status.waitlisted', { position: s.position ?? '' })
    : t('signups:status.confirmed');
}

function signupTable(context: PageContext, id: string, caption: string, rows: MySignupView[]): SafeHtml {
  const { t } = context;
  const withActions = rows.some((row) => row.cancelAction);
  return html`<div class="table-scroll"><table class="data" id="${id}">
    <caption class="visually-hidden">${caption}</caption>
    <thead><tr><th scope="col">${t('signups:mine.activity')}</th><th scope="col">${t('signups:mine.when')}</th><th scope="col">${t('signups:mine.status')}</th>${
      withActions ? html`<th scope="col">${t('signups:mine.actions')}</th>` : ''
    }</tr></thead>
    <tbody>${rows.map(
      (row) => html`<tr>
      <td><a href="${row.activityUrl}">${row.activityTitle}</a></td>
      <td>${row.when}</td>
      <td>${statusText(context, row)}</td>
      ${
        withActions
          ? html`<td>${
              row.cancelAction
                ? html`<form method="post" action="${row.cancelAction}" class="inline-form">
        ${csrfField(context.csrfToken)}
        <button class="link-button" type="submit" aria-label="${t('signups:mine.cancelLabel', { activity: row.activityTitle, when: row.when })}">${t('signups:mine.cancel')}</button>
      </form>`
                : ''
            }</td>`
          : ''
      }
    </tr>`,
    )}</tbody>
  </table></div>`;
}

/** "My activities": upcoming sign-ups with a cancel button, then past and cancelled ones. */
export function myActivitiesPage(
  context: PageContext,
  data: { cityName: string; upcoming: MySignupView[]; past: MySignupView[]; notice?: string; searchUrl: string },
): SafeHtml {
  const { t } = context;
  return layout(context, {
    title: t('signups:mine.title'),
    body: html`<div class="container section">
  <h1>${t('signups:mine.title')}</h1>
  ${data.notice ? html`<p class="success" role="status">${data.notice}</p>` : ''}
  <p>${t('signups:mine.intro', { city: data.cityName })}</p>
  <section aria-labelledby="upcoming-heading">
    <h2 id="upcoming-heading">${t('signups:mine.upcoming')}</h2>
    ${
      data.upcoming.length === 0
        ? html`<p>${t('signups:mine.noUpcoming')} <a href="${data.searchUrl}">${t('signups:mine.findActivities')}</a></p>`
        : signupTable(context, 'upcoming-signups', t('signups:mine.upcoming'), data.upcoming)
    }
  </section>
  <section aria-labelledby="past-heading" class="section">
    <h2 id="past-heading">${t('signups:mine.past')}</h2>
    ${
      data.past.length === 0
        ? html`<p>${t('signups:mine.noPast')}</p>`
        : signupTable(context, 'past-signups', t('signups:mine.past'), data.past)
    }
  </section>
</div>`,
  });
}

export interface AttendeeView {
  signupId: string;
  displayName: string;
  /** Empty when the person's account is limited (not shared). */
  email: string;
  status: 'confirmed' | 'waitlisted';
  position: number | null;
  signedUpAt: string;
  attended: boolean | null;
}

function attendanceControl(context: PageContext, a: AttendeeView): SafeHtml {
  const { t } = context;
  const name = `attended_${a.signupId}`;
  const current = a.attended === true ? 'yes' : a.attended === false ? 'no' : '';
  const choices = [
    { value: 'yes', label: t('signups:attendees.attendedYes') },
    { value: 'no', label: t('signups:attendees.attendedNo') },
    { value: '', label: t('signups:attendees.attendedUnknown') },
  ];
  return html`<fieldset class="attendance-choice">
    <legend class="visually-hidden">${t('signups:attendees.attendanceOf', { name: a.displayName })}</legend>
    ${choices.map((choice) => {
      const id = `${name}-${choice.value || 'unknown'}`;
      return html`<span class="checkbox"><input type="radio" id="${id}" name="${name}" value="${choice.value}"${
        current === choice.value ? html` checked` : ''
      }><label for="${id}">${choice.label}</label></span>`;
    })}
  </fieldset>`;
}

function attendanceText(context: PageContext, attended: boolean | null): string {
  const { t } = context;
  return attended === true
    ? t('signups:status.attended')
    : attended === false
      ? t('signups:status.notAttended')
      : t('signups:status.notMarked');
}

/** The organiser's list for one session: confirmed people (with the attendance form once started), the waiting list. */
export function attendeesPage(
  context: PageContext,
  data: {
    session: SessionSummaryView;
    sessionCancelled: boolean;
    started: boolean;
    attendees: AttendeeView[];
    /** Where the attendance form posts; null when the viewer may only read (curators). */
    formAction: string | null;
    csvUrl: string | null;
    sessionsUrl: string | null;
    notice?: string;
    error?: string;
  },
): SafeHtml {
  const { t } = context;
  const confirmed = data.attendees.filter((a) => a.status === 'confirmed');
  const waiting = data.attendees.filter((a) => a.status === 'waitlisted');
  const canMark = data.formAction !== null && data.started;
  const email = (a: AttendeeView) => a.email || html`<span class="hint">${t('signups:attendees.hiddenEmail')}</span>`;
  const confirmedTable = html`<div class="table-scroll"><table class="data" id="confirmed-attendees">
    <caption class="visually-hidden">${t('signups:attendees.confirmed')}</caption>
    <thead><tr><th scope="col">${t('signups:attendees.name')}</th><th scope="col">${t('signups:attendees.email')}</th><th scope="col">${t('signups:attendees.signedUpAt')}</th><th scope="col">${t('signups:attendees.attendance')}</th></tr></thead>
    <tbody>${confirmed.map(
      (a) =>
        html`<tr><td>${a.displayName}</td><td>${email(a)}</td><td>${a.signedUpAt}</td><td>${
          canMark ? attendanceControl(context, a) : attendanceText(context, a.attended)
        }</td></tr>`,
    )}</tbody>
  </table></div>`;
  const summary =
    data.session.capacity === null
      ? t('signups:attendees.summaryUnlimited', {
          confirmed: data.session.confirmedCount,
          waiting: data.session.waitlistCount,
        })
      : t('signups:attendees.summaryLimited', {
          confirmed: data.session.confirmedCount,
          capacity: data.session.capacity,
          waiting: data.session.waitlistCount,
        });
  return layout(context, {
    title: t('signups:attendees.title', { activity: data.session.activityTitle }),
    body: html`<div class="container section">
  <h1>${t('signups:attendees.title', { activity: data.session.activityTitle })}</h1>
  ${data.notice ? html`<p class="success" role="status">${data.notice}</p>` : ''}
  ${data.error ? html`<p class="field-error" role="alert">${data.error}</p>` : ''}
  ${data.formAction === null ? html`<p class="notice">${t('signups:attendees.readOnly')}</p>` : ''}
  ${data.sessionCancelled ? html`<p class="notice">${t('signups:attendees.sessionCancelled')}</p>` : ''}
  ${sessionFacts(context, data.session, false)}
  <p>${summary}</p>
  ${
    data.csvUrl || data.sessionsUrl
      ? html`<p class="button-row">${data.csvUrl ? html`<a class="button button-secondary" href="${data.csvUrl}" download>${t('signups:attendees.csv')}</a>` : ''}
  ${data.sessionsUrl ? html`<a href="${data.sessionsUrl}">${t('signups:attendees.allSessions')}</a>` : ''}</p>`
      : ''
  }
  <section aria-labelledby="confirmed-heading">
    <h2 id="confirmed-heading">${t('signups:attendees.confirmed')}</h2>
    ${!data.started && data.formAction !== null ? html`<p class="hint">${t('signups:attendees.notStarted')}</p>` : ''}
    ${
      confirmed.length === 0
        ? html`<p>${t('signups:attendees.none')}</p>`
        : canMark
          ? html`<form method="post" action="${data.formAction ?? ''}" class="form">
      ${csrfField(context.csrfToken)}
      ${confirmedTable}
      <div><button class="button" type="submit">${t('signups:attendees.save')}</button></div>
    </form>`
          : confirmedTable
    }
  </section>
  <section aria-labelledby="waitlist-heading" class="section">
    <h2 id="waitlist-heading">${t('signups:attendees.waitlist')}</h2>
    ${
      waiting.length === 0
        ? html`<p>${t('signups:attendees.none')}</p>`
        : html`<div class="table-scroll"><table class="data" id="waitlist">
      <caption class="visually-hidden">${t('signups:attendees.waitlist')}</caption>
      <thead><tr><th scope="col">${t('signups:attendees.position')}</th><th scope="col">${t('signups:attendees.name')}</th><th scope="col">${t('signups:attendees.email')}</th><th scope="col">${t('signups:attendees.signedUpAt')}</th></tr></thead>
      <tbody>${waiting.map(
        (a) =>
          html`<tr><td>${a.position ?? ''}</td><td>${a.displayName}</td><td>${email(a)}</td><td>${a.signedUpAt}</td></tr>`,
      )}</tbody>
    </table></div>`
    }
  </section>
</div>`,
  });
}

export interface OrganiserSessionView {
  when: string;
  cancelled: boolean;
  capacity: number | null;
  confirmedCount: number;
  waitlistCount: number;
  attendeesUrl: string;
}

/** Every date of an activity with its sign-ups, each linking to its attendee list. */
export function activitySessionsPage(
  context: PageContext,
  data: { activityTitle: string; activityUrl: string; sessions: OrganiserSessionView[] },
): SafeHtml {
  const { t } = context;
  return layout(context, {
    title: t('signups:sessions.title', { activity: data.activityTitle }),
    body: html`<div class="container section">
  <h1>${t('signups:sessions.title', { activity: data.activityTitle })}</h1>
  <p>${t('signups:sessions.intro')} <a href="${data.activityUrl}">${t('signups:signUp.backToActivity')}</a></p>
  ${
    data.sessions.length === 0
      ? html`<p>${t('signups:sessions.none')}</p>`
      : html`<div class="table-scroll"><table class="data">
    <caption class="visually-hidden">${t('signups:sessions.title', { activity: data.activityTitle })}</caption>
    <thead><tr><th scope="col">${t('signups:sessions.date')}</th><th scope="col">${t('signups:sessions.confirmed')}</th><th scope="col">${t('signups:sessions.capacity')}</th><th scope="col">${t('signups:sessions.waiting')}</th><th scope="col">${t('signups:sessions.open')}</th></tr></thead>
    <tbody>${data.sessions.map(
      (s) => html`<tr>
      <td>${s.when}${s.cancelled ? html` <span class="badge-label">${t('signups:sessions.cancelled')}</span>` : ''}</td>
      <td>${s.confirmedCount}</td>
      <td>${s.capacity ?? t('signups:sessions.unlimited')}</td>
      <td>${s.waitlistCount}</td>
      <td><a href="${s.attendeesUrl}" aria-label="${t('signups:sessions.openLabel', { when: s.when })}">${t('signups:sessions.open')}</a></td>
    </tr>`,
    )}</tbody>
  </table></div>`
  }
</div>`,
  });
}
