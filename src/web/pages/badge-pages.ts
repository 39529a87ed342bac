import { html, type SafeHtml } from '../html.ts';
import { layout, type PageContext } from '../layout.ts';

/** The public badge pages: one badge (what it stands for and how to earn it) and the city's directory of badges. */

/** A text with the language it is in, so a fallback language is marked for screen readers. */
export interface LocalText {
  text: string;
  language: string;
}

export interface BadgePageData {
  status: 'draft' | 'published' | 'archived';
  kind: string;
  name: LocalText;
  description: LocalText;
  criteria: LocalText;
  requirements: { kind: string; instructions: LocalText }[];
  image: { url: string; alt: LocalText };
  tags: string[];
  validityMonths: number | null;
  skills: { label: LocalText; href: string; level: number | null; framework: string }[];
  issuer: { name: string; href: string };
  activities: { title: LocalText; href: string; awardOnAttendance: boolean }[];
  prerequisites: { name: LocalText; href: string | null }[];
  endorsements: { endorser: string; comment: LocalText | null; date: Date | null }[];
  /** The claim routes that are open, with where a learner starts each (null: closed). */
  claimRoutes: {
    claimCodeHref: string;
    evidenceHref: string | null;
    peer: { count: number; href: string } | null;
    attendance: boolean;
  };
  /** Absolute URLs: the page, its image (Open Graph) and the current version's Achievement JSON. */
  canonicalUrl: string;
  ogImageUrl: string;
  achievementUrl: string;
  manageHref: string | null;
}

function text(value: LocalText, context: PageContext): SafeHtml {
  return value.language === context.language
    ? html`${value.text}`
    : html`<span lang="${value.language}">${value.text}</span>`;
}

/** Plain text as paragraphs (blank lines) and line breaks. */
function paragraphs(value: LocalText, className: string): SafeHtml {
  const blocks = value.text.split(/\n\s*\n/).filter((block) => block.trim());
  return html`<div class="${className}" lang="${value.language}">${blocks.map(
    (block) => html`<p>${block.split('\n').map((line, index) => html`${index > 0 ? html`<br>` : ''}${line}`)}</p>`,
  )}</div>`;
}

function headTags(context: PageContext, data: BadgePageData): SafeHtml {
  return html`<link rel="canonical" href="${data.canonicalUrl}">
<link rel="stylesheet" href="${context.assets.url('catalogue.css')}">
<link rel="alternate" type="application/ld+json" href="${data.achievementUrl}">
<meta property="og:type" content="website">
<meta property="og:title" content="${data.name.text}">
<meta property="og:description" content="${data.description.text.slice(0, 300)}">
<meta property="og:url" content="${data.canonicalUrl}">
<meta property="og:site_name" content="${context.t('site.name')}">
<meta property="og:locale" content="${context.language}">
<meta property="og:image" content="${data.ogImageUrl}">
<meta property="og:image:alt" content="${data.image.alt.text}">
<meta name="twitter:card" content="summary">
${data.status === 'published' ? '' : html`<meta name="robots" content="noindex">`}`;
}

function howSection(context: PageContext, data: BadgePageData): SafeHtml {
  const { t } = context;
  const { claimRoutes } = data;
  const routes: SafeHtml[] = [
    html`<li>${t('badges:page.howAward', { issuer: data.issuer.name })} <a href="${claimRoutes.claimCodeHref}">${t(
      'badges:page.enterCode',
    )}</a></li>`,
  ];
  if (claimRoutes.attendance) routes.push(html`<li>${t('badges:page.howAttendance')}</li>`);
  if (claimRoutes.evidenceHref) {
    routes.push(
      html`<li>${t('badges:page.howEvidence')} <a href="${claimRoutes.evidenceHref}">${t('badges:page.apply')}</a></li>`,
    );
  }
  if (claimRoutes.peer) {
    routes.push(
      html`<li>${t('badges:page.howPeer', { count: claimRoutes.peer.count })} <a href="${claimRoutes.peer.href}">${t(
        'badges:page.askPeers',
      )}</a></li>`,
    );
  }
  return html`<section class="section" aria-labelledby="badge-how-heading">
  <h2 id="badge-how-heading">${t('badges:page.howHeading')}</h2>
  ${data.status === 'archived' ? html`<p>${t('badges:page.howArchived')}</p>` : html`<ul>${routes}</ul>`}
  ${
    data.prerequisites.length > 0
      ? html`<p>${t('badges:page.prerequisitesIntro')}</p>
  <ul class="badge-prerequisites">${data.prerequisites.map(
    (required) =>
      html`<li>${required.href ? html`<a href="${required.href}">${text(required.name, context)}</a>` : text(required.name, context)}</li>`,
  )}</ul>`
      : ''
  }
  ${
    data.requirements.length > 0
      ? html`<h3>${t('badges:page.requirementsHeading')}</h3>
  <ol class="badge-requirements">${data.requirements.map(
    (requirement) =>
      html`<li><strong>${t(`badges:requirementKinds.${requirement.kind}`)}:</strong> <span lang="${requirement.instructions.language}">${requirement.instructions.text}</span></li>`,
  )}</ol>`
      : ''
  }
</section>`;
}

/** The public page of one badge. */
export function badgePage(context: PageContext, data: BadgePageData): SafeHtml {
  const { t, language } = context;
  const date = new Intl.DateTimeFormat(language, { dateStyle: 'long' });
  return layout(context, {
    title: data.name.text,
    description: data.description.text.slice(0, 160),
    head: headTags(context, data),
    body: html`<article class="container section badge-page">
  ${
    data.status !== 'published'
      ? html`<div class="notice" role="status"><p><strong>${t(`badges:page.status.${data.status}`)}</strong></p></div>`
      : ''
  }
  <header class="badge-header">
    <img class="badge-image" src="${data.image.url}" alt="${data.image.alt.text}"${
      data.image.alt.language !== language ? html` lang="${data.image.alt.language}"` : ''
    } width="256" height="256">
    <div>
      <h1 lang="${data.name.language}">${data.name.text}</h1>
      <p>${t(`badges:kinds.${data.kind}`)} · ${t('badges:page.issuedBy')} <a href="${data.issuer.href}">${data.issuer.name}</a></p>
      <p>${
        data.validityMonths ? t('badges:page.validity', { count: data.validityMonths }) : t('badges:page.noExpiry')
      }</p>
      ${data.manageHref ? html`<p><a href="${data.manageHref}">${t('badges:page.manage')}</a></p>` : ''}
    </div>
  </header>
  ${paragraphs(data.description, 'badge-description')}
  <section class="section" aria-labelledby="badge-criteria-heading">
    <h2 id="badge-criteria-heading">${t('badges:page.criteriaHeading')}</h2>
    ${paragraphs(data.criteria, 'badge-criteria')}
  </section>
  ${howSection(context, data)}
  ${
    data.activities.length > 0
      ? html`<section class="section" aria-labelledby="badge-activities-heading">
    <h2 id="badge-activities-heading">${t('badges:page.activitiesHeading')}</h2>
    <ul>${data.activities.map(
      (activity) =>
        html`<li><a href="${activity.href}">${text(activity.title, context)}</a>${
          activity.awardOnAttendance ? html` <span class="hint">(${t('badges:page.onAttendance')})</span>` : ''
        }</li>`,
    )}</ul>
  </section>`
      : ''
  }
  ${
    data.skills.length > 0 || data.tags.length > 0
      ? html`<section class="section" aria-labelledby="badge-skills-heading">
    <h2 id="badge-skills-heading">${t('badges:page.skillsHeading')}</h2>
    ${
      data.skills.length > 0
        ? html`<ul class="activity-skill-list">${data.skills.map(
            (skill) =>
              html`<li><a href="${skill.href}">${text(skill.label, context)}</a>${
                skill.framework ? html` <span class="hint">(${skill.framework})</span>` : ''
              }${skill.level !== null ? html` · ${t('badges:page.level', { level: skill.level })}` : ''}</li>`,
          )}</ul>`
        : ''
    }
    ${
      data.tags.length > 0
        ? html`<h3>${t('badges:page.tags')}</h3><ul class="activity-tags">${data.tags.map((tag) => html`<li>${tag}</li>`)}</ul>`
        : ''
    }
  </section>`
      : ''
  }
  ${
    data.endorsements.length > 0
      ? html`<section class="section" aria-labelledby="badge-endorsements-heading">
    <h2 id="badge-endorsements-heading">${t('badges:page.endorsementsHeading')}</h2>
    <ul class="badge-endorsements">${data.endorsements.map(
      (endorsement) => html`<li>
      <p><strong>${endorsement.endorser}</strong>${endorsement.date ? html` · <time datetime="${endorsement.date.toISOString()}">${date.format(endorsement.date)}</time>` : ''}</p>
      ${endorsement.comment ? html`<blockquote lang="${endorsement.comment.language}">${endorsement.comment.text}</blockquote>` : ''}
    </li>`,
    )}</ul>
  </section>`
      : ''
  }
  <p class="hint"><a href="${data.achievementUrl}" type="application/ld+json">${t('badges:page.achievementJson')}</a></p>
</article>`,
  });
}

// ── The directory ───────────────────────────────────────────────────────────────────────────────────────────────

export interface DirectoryData {
  query: string;
  kind: string;
  kinds: readonly string[];
  items: { name: LocalText; href: string; imageUrl: string; imageAlt: LocalText; kind: string; issuer: string }[];
  page: number;
  pages: number;
  total: number;
  /** The directory's path, for the form and the pager. */
  basePath: string;
}

export function badgeDirectoryPage(context: PageContext, data: DirectoryData): SafeHtml {
  const { t } = context;
  const pageHref = (page: number) => {
    const query = new URLSearchParams();
    if (data.query) query.set('q', data.query);
    if (data.kind) query.set('kind', data.kind);
    if (page > 1) query.set('page', String(page));
    const search = query.toString();
    return search ? `${data.basePath}?${search}` : data.basePath;
  };
  const filtered = Boolean(data.query || data.kind);
  return layout(context, {
    title: t('badges:directory.title'),
    description: t('badges:directory.intro'),
    head: html`<link rel="stylesheet" href="${context.assets.url('catalogue.css')}">`,
    body: html`<div class="container section badge-directory">
  <h1>${t('badges:directory.title')}</h1>
  <p>${t('badges:directory.intro')}</p>
  <form role="search" method="get" action="${data.basePath}" class="form badge-search">
    <div class="field">
      <label for="badge-search-q">${t('badges:directory.search')}</label>
      <input id="badge-search-q" name="q" type="search" value="${data.query}" maxlength="100">
    </div>
    <div class="field">
      <label for="badge-search-kind">${t('badges:directory.kind')}</label>
      <select id="badge-search-kind" name="kind">
        <option value="">${t('badges:directory.anyKind')}</option>
        ${data.kinds.map(
          (kind) =>
            html`<option value="${kind}"${kind === data.kind ? html` selected` : ''}>${t(`badges:kinds.${kind}`)}</option>`,
        )}
      </select>
    </div>
    <div><button class="button" type="submit">${t('badges:directory.submit')}</button></div>
  </form>
  <h2 class="visually-hidden" id="badge-results-heading">${t('badges:directory.resultsHeading')}</h2>
  <p role="status">${t('badges:directory.results', { count: data.total })}</p>
  ${
    data.items.length === 0
      ? html`<p class="empty-state">${filtered ? t('badges:directory.noMatches') : t('badges:directory.empty')}</p>`
      : html`<ul class="card-list badge-grid" aria-labelledby="badge-results-heading">${data.items.map(
          (item) => html`<li class="card badge-card">
      <img src="${item.imageUrl}" alt="${item.imageAlt.text}"${
        item.imageAlt.language !== context.language ? html` lang="${item.imageAlt.language}"` : ''
      } width="128" height="128" loading="lazy">
      <h3 class="card-title"><a href="${item.href}"${item.name.language !== context.language ? html` lang="${item.name.language}"` : ''}>${item.name.text}</a></h3>
      <p class="hint">${t(`badges:kinds.${item.kind}`)} · ${item.issuer}</p>
    </li>`,
        )}</ul>`
  }
  ${
    data.pages > 1
      ? html`<nav class="pager" aria-label="${t('badges:directory.navigation')}">
    ${data.page > 1 ? html`<a href="${pageHref(data.page - 1)}" rel="prev">${t('badges:directory.previous')}</a>` : ''}
    <span>${t('badges:directory.pageOf', { page: data.page, pages: data.pages })}</span>
    ${data.page < data.pages ? html`<a href="${pageHref(data.page + 1)}" rel="next">${t('badges:directory.next')}</a>` : ''}
  </nav>`
      : ''
  }
</div>`,
  });
}

/** "Badges this activity leads to", on the public activity page. */
export function activityBadgesSection(
  context: PageContext,
  badges: { name: LocalText; href: string; awardOnAttendance: boolean }[],
): SafeHtml | '' {
  const { t } = context;
  if (badges.length === 0) return '';
  return html`<section class="section activity-badges" aria-labelledby="activity-badges-heading">
  <h2 id="activity-badges-heading">${t('badges:activity.heading')}</h2>
  <ul>${badges.map(
    (badge) =>
      html`<li><a href="${badge.href}">${text(badge.name, context)}</a>${
        badge.awardOnAttendance ? html` <span class="hint">(${t('badges:activity.onAttendance')})</span>` : ''
      }</li>`,
  )}</ul>
</section>`;
}
