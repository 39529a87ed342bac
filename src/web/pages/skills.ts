import { html, type SafeHtml } from '../html.ts';
import { languageName, isSupportedLanguage } from '../i18n.ts';
import { layout, type PageContext } from '../layout.ts';
import { type PickerSkill, skillLabel, skillPicker } from './skills-picker.ts';

/** A framework as pages show it. */
export interface FrameworkPageData {
  slug: string;
  kind: string;
  title: string;
  shortTitle: string;
  version: string;
  publisher: string;
  licence: string;
  url: string | null;
  citation: string;
  attribution: string;
  levels: { id: string; name: string; description: string; band?: string }[];
  skillCount?: number;
  href: string;
}

export interface SkillLink {
  id: string;
  label: string;
  labelLanguage: string;
  kind: string;
  code: string;
  framework: { shortTitle: string };
  href: string;
  childCount?: number;
  children?: SkillLink[];
}

function pickerScript(context: PageContext): SafeHtml {
  return html`<script type="module" src="${context.assets.url('skill-picker.js')}"></script>`;
}

function attribution(context: PageContext, framework: FrameworkPageData, headingId: string): SafeHtml {
  const { t } = context;
  return html`<section class="section skill-attribution" aria-labelledby="${headingId}">
  <h2 id="${headingId}">${t('skills:framework.attributionHeading')}</h2>
  <p>${framework.attribution}</p>
  <dl class="facts">
    ${framework.publisher ? html`<dt>${t('skills:framework.publisher')}</dt><dd>${framework.publisher}</dd>` : ''}
    ${framework.version ? html`<dt>${t('skills:framework.version')}</dt><dd>${framework.version}</dd>` : ''}
    ${framework.licence ? html`<dt>${t('skills:framework.licence')}</dt><dd>${framework.licence}</dd>` : ''}
    ${framework.citation ? html`<dt>${t('skills:framework.citation')}</dt><dd>${framework.citation}</dd>` : ''}
    ${
      framework.url
        ? html`<dt>${t('skills:framework.website')}</dt><dd><a href="${framework.url}" rel="noopener">${framework.url}</a></dd>`
        : ''
    }
  </dl>
</section>`;
}

function skillTree(context: PageContext, skills: SkillLink[]): SafeHtml {
  return html`<ul class="skill-tree">
  ${skills.map(
    (skill) => html`<li>
    <a href="${skill.href}">${skillLabel(context, skill)}</a>${
      skill.kind !== 'local' && skill.code.length <= 12 ? html` <span class="skill-code">${skill.code}</span>` : ''
    }
    ${skill.children && skill.children.length > 0 ? skillTree(context, skill.children) : ''}
  </li>`,
  )}
</ul>`;
}

export interface SkillsBrowseData {
  cityName: string;
  citySlug: string;
  frameworks: FrameworkPageData[];
  localSkills: SkillLink[];
  crosswalks: { source: SkillLink; target: SkillLink; relation: string }[];
  query: string;
  results: PickerSkill[];
  /** The curator pages of the spine, when the viewer curates this city. */
  curateHref?: string;
}

/** The city's skills spine: search, its frameworks, its local skills and crosswalks. */
export function skillsBrowsePage(context: PageContext, data: SkillsBrowseData): SafeHtml {
  const { t } = context;
  const city = data.cityName;
  return layout(context, {
    title: t('skills:browse.title', { city }),
    description: t('skills:browse.intro', { city }),
    body: html`
<section class="hero">
  <div class="container">
    <h1>${t('skills:browse.title', { city })}</h1>
    <p>${t('skills:browse.intro', { city })}</p>
    ${data.curateHref ? html`<p><a href="${data.curateHref}">${t('skills:curate.manageLink', { city })}</a></p>` : ''}
  </div>
</section>
<div class="container">
  <section class="section" aria-label="${t('skills:picker.label')}">
    ${skillPicker(context, {
      mode: 'navigate',
      citySlug: data.citySlug,
      id: 'skill-search',
      query: data.query,
      results: data.results,
    })}
  </section>
  <section class="section" aria-labelledby="spine-frameworks">
    <h2 id="spine-frameworks">${t('skills:browse.frameworksHeading', { city })}</h2>
    ${
      data.frameworks.length === 0
        ? html`<p>${t('skills:browse.noFrameworks')}</p>`
        : html`<ul class="card-list">
      ${data.frameworks.map(
        (framework) => html`<li class="card">
        <h3><a href="${framework.href}">${framework.shortTitle}</a></h3>
        <p>${framework.title}</p>
        ${
          framework.skillCount !== undefined
            ? html`<p>${t('skills:browse.skillCount', { count: framework.skillCount })}</p>`
            : ''
        }
        <p class="skill-attribution-line">${framework.attribution}</p>
      </li>`,
      )}
    </ul>`
    }
  </section>
  <section class="section" aria-labelledby="spine-local">
    <h2 id="spine-local">${t('skills:browse.localHeading')}</h2>
    ${data.localSkills.length === 0 ? html`<p>${t('skills:browse.noLocalSkills')}</p>` : skillTree(context, data.localSkills)}
  </section>
  <section class="section" aria-labelledby="spine-crosswalks">
    <h2 id="spine-crosswalks">${t('skills:browse.crosswalksHeading')}</h2>
    <p>${t('skills:browse.crosswalksIntro')}</p>
    ${
      data.crosswalks.length === 0
        ? html`<p>${t('skills:browse.noCrosswalks')}</p>`
        : html`<ul class="skill-crosswalks">
      ${data.crosswalks.map(
        (c) => html`<li><a href="${c.source.href}">${skillLabel(context, c.source)}</a>
        <span class="skill-tag">${c.source.framework.shortTitle}</span>
        → ${t(`skills:skill.relation.${c.relation}`)} →
        <a href="${c.target.href}">${skillLabel(context, c.target)}</a>
        <span class="skill-tag">${c.target.framework.shortTitle}</span></li>`,
      )}
    </ul>`
    }
  </section>
</div>
${pickerScript(context)}`,
  });
}

export interface FrameworkBrowseData {
  cityName: string;
  skillsHref: string;
  framework: FrameworkPageData;
  items: SkillLink[];
  total: number;
  offset: number;
  limit: number;
}

/** One framework of the city's spine: its contents, levels and attribution. */
export function frameworkPage(context: PageContext, data: FrameworkBrowseData): SafeHtml {
  const { t } = context;
  const { framework } = data;
  const pageLink = (offset: number) => `${framework.href}?offset=${offset}`;
  return layout(context, {
    title: framework.shortTitle,
    description: framework.title,
    body: html`
<div class="container">
  <nav aria-label="${t('skills:skill.breadcrumb')}" class="breadcrumb">
    <ol><li><a href="${data.skillsHref}">${t('skills:skill.skillsHome')}</a></li><li aria-current="page">${framework.shortTitle}</li></ol>
  </nav>
  <h1>${framework.shortTitle}</h1>
  <p>${framework.title}</p>
  <section class="section" aria-labelledby="framework-contents">
    <h2 id="framework-contents">${t('skills:framework.contentsHeading')}</h2>
    ${skillTree(context, data.items)}
    ${
      data.total > data.items.length
        ? html`<p>${t('skills:framework.more', { shown: data.items.length, total: data.total })}</p>
    <p>${data.offset > 0 ? html`<a href="${pageLink(Math.max(0, data.offset - data.limit))}">${t('skills:framework.previous')}</a> ` : ''}${
      data.offset + data.limit < data.total
        ? html`<a href="${pageLink(data.offset + data.limit)}">${t('skills:framework.next')}</a>`
        : ''
    }</p>`
        : ''
    }
  </section>
  <section class="section" aria-labelledby="framework-levels">
    <h2 id="framework-levels">${t('skills:framework.levelsHeading')}</h2>
    ${
      framework.levels.length === 0
        ? html`<p>${t('skills:framework.noLevels')}</p>`
        : html`<table class="data">
      <caption class="visually-hidden">${t('skills:framework.levelsHeading')}</caption>
      <tbody>
      ${framework.levels.map((level) => html`<tr><th scope="row">${level.name}</th><td>${level.description}</td></tr>`)}
      </tbody>
    </table>`
    }
  </section>
  ${attribution(context, framework, 'framework-attribution')}
</div>`,
  });
}

export interface SkillPageData {
  cityName: string;
  skillsHref: string;
  skill: SkillLink & {
    description: string;
    descriptionLanguage: string;
    alternativeLabels: { language: string; label: string }[];
  };
  framework: FrameworkPageData;
  ancestors: SkillLink[];
  children: SkillLink[];
  childCount: number;
  crosswalks: { relation: string; skill: SkillLink }[];
  related: { relationType: string; skill: SkillLink }[];
  occupations: { uri: string; label: string; relationType: string }[];
  earners: { count: number | null; suppressed: boolean; threshold: number };
  alignmentJson: string;
}

function fallbackNote(context: PageContext, language: string): SafeHtml | string {
  if (language === context.language) return '';
  const name = isSupportedLanguage(language) ? languageName(language) : language;
  return html` <span class="skill-note">(${context.t('skills:skill.fallbackNote', { language: name })})</span>`;
}

/** The public page of one skill in a city. */
export function skillPage(context: PageContext, data: SkillPageData): SafeHtml {
  const { t } = context;
  const { skill, framework } = data;
  const city = data.cityName;
  const relatedCount = data.crosswalks.length + data.related.length;
  return layout(context, {
    title: skill.label,
    description: skill.description || t('skills:skill.noDescription'),
    body: html`
<div class="container">
  <nav aria-label="${t('skills:skill.breadcrumb')}" class="breadcrumb">
    <ol>
      <li><a href="${data.skillsHref}">${t('skills:skill.skillsHome')}</a></li>
      <li><a href="${framework.href}">${framework.shortTitle}</a></li>
      ${data.ancestors.map((a) => html`<li><a href="${a.href}">${skillLabel(context, a)}</a></li>`)}
      <li aria-current="page">${skillLabel(context, skill)}</li>
    </ol>
  </nav>
  <h1${skill.labelLanguage === context.language ? '' : html` lang="${skill.labelLanguage}"`}>${skill.label}</h1>
  <dl class="facts">
    <dt>${t('skills:skill.framework')}</dt><dd><a href="${framework.href}">${framework.shortTitle}</a> · ${t(
      `skills:skill.kind.${skill.kind}`,
    )}</dd>
    <dt>${t('skills:skill.code')}</dt><dd><code>${skill.code}</code></dd>
  </dl>
  ${
    skill.description
      ? html`<p class="skill-description"${
          skill.descriptionLanguage === context.language ? '' : html` lang="${skill.descriptionLanguage}"`
        }>${skill.description}</p>${fallbackNote(context, skill.descriptionLanguage)}`
      : html`<p>${t('skills:skill.noDescription')}</p>`
  }
  ${
    skill.alternativeLabels.length > 0
      ? html`<section class="section" aria-labelledby="skill-alternatives">
    <h2 id="skill-alternatives">${t('skills:skill.alternativeLabels')}</h2>
    <ul class="skill-alternatives">${skill.alternativeLabels.map(
      (alt) => html`<li${alt.language === context.language ? '' : html` lang="${alt.language}"`}>${alt.label}</li>`,
    )}</ul>
  </section>`
      : ''
  }
  ${
    data.children.length > 0
      ? html`<section class="section" aria-labelledby="skill-children">
    <h2 id="skill-children">${t('skills:skill.childrenHeading')}</h2>
    ${skillTree(context, data.children)}
    ${
      data.childCount > data.children.length
        ? html`<p>${t('skills:framework.more', { shown: data.children.length, total: data.childCount })}</p>`
        : ''
    }
  </section>`
      : ''
  }
  <section class="section" aria-labelledby="skill-related">
    <h2 id="skill-related">${t('skills:skill.relatedHeading')}</h2>
    ${
      relatedCount === 0
        ? html`<p>${t('skills:skill.noRelated')}</p>`
        : html`<ul class="skill-related">
      ${data.crosswalks.map(
        (c) => html`<li><a href="${c.skill.href}">${skillLabel(context, c.skill)}</a>
        <span class="skill-tag">${c.skill.framework.shortTitle}</span>
        <span class="skill-note">${t('skills:skill.crosswalk', {
          relation: t(`skills:skill.relation.${c.relation}`),
          city,
        })}</span></li>`,
      )}
      ${data.related.map(
        (r) => html`<li><a href="${r.skill.href}">${skillLabel(context, r.skill)}</a>
        <span class="skill-note">${t('skills:skill.escoRelation', {
          relation: t(`skills:skill.relation.${r.relationType}`, { defaultValue: r.relationType }),
        })}</span></li>`,
      )}
    </ul>`
    }
  </section>
  ${
    data.occupations.length > 0
      ? html`<section class="section" aria-labelledby="skill-occupations">
    <h2 id="skill-occupations">${t('skills:skill.occupationsHeading')}</h2>
    <ul>${data.occupations.map(
      (o) =>
        html`<li><a href="${o.uri}" rel="noopener">${o.label}</a> <span class="skill-note">${t(
          'skills:skill.occupationRelation',
          { relation: t(`skills:skill.relation.${o.relationType}`) },
        )}</span></li>`,
    )}</ul>
  </section>`
      : ''
  }
  <section class="section" aria-labelledby="skill-earners">
    <h2 id="skill-earners">${t('skills:skill.earnersHeading')}</h2>
    <p class="skill-earners" data-suppressed="${String(data.earners.suppressed)}">${
      data.earners.suppressed
        ? t('skills:skill.earnersSuppressed', { threshold: data.earners.threshold, city })
        : t('skills:skill.earnersCount', { count: data.earners.count ?? 0, city })
    }</p>
  </section>
  <section class="section" aria-labelledby="skill-alignment">
    <h2 id="skill-alignment">${t('skills:skill.alignmentHeading')}</h2>
    <details>
      <summary>${t('skills:skill.alignmentIntro')}</summary>
      <pre class="skill-alignment" tabindex="0">${data.alignmentJson}</pre>
    </details>
  </section>
  ${attribution(context, framework, 'skill-attribution')}
</div>`,
  });
}
