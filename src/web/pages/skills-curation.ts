import { csrfField, errorSummary, type FieldErrors, inputField } from '../forms.ts';
import { html, type SafeHtml } from '../html.ts';
import { layout, type PageContext } from '../layout.ts';
import { checkboxGroup, selectField, textareaField } from './form-controls.ts';
import { type PickerSkill, skillLabel, skillPicker } from './skills-picker.ts';

/**
 * Curator pages of the skills spine (`/c/:citySlug/curate/skills…`): the city's frameworks, its local skills and
 * their crosswalks. Destructive actions ask first: a `data-confirm` form when scripts run, a confirmation page
 * when they do not.
 */

export const relations = ['exact', 'broader', 'narrower', 'related'] as const;

export function skillsCurationPath(citySlug: string): string {
  return `/c/${citySlug}/curate/skills`;
}

function notice(text: string | undefined): SafeHtml | string {
  return text ? html`<p class="success" role="status">${text}</p>` : '';
}

function formError(errors: FieldErrors): SafeHtml | string {
  return errors._form ? html`<p class="field-error" id="field-_form-error">${errors._form}</p>` : '';
}

function breadcrumb(context: PageContext, base: string, current: string): SafeHtml {
  const { t } = context;
  return html`<nav aria-label="${t('skills:curate.breadcrumb')}" class="breadcrumb">
    <ol>
      <li><a href="${context.city?.homePath ?? '/'}/curate">${t('organisations:curate.hubTitle')}</a></li>
      <li><a href="${base}">${t('skills:curate.title')}</a></li>
      <li aria-current="page">${current}</li>
    </ol>
  </nav>`;
}

// ── Index: the city's spine with its local skills ───────────────────────────────────────────────────────────────

export interface CurationSkillNode {
  id: string;
  label: string;
  labelLanguage: string;
  code: string;
  href: string;
  crosswalkCount: number;
  children: CurationSkillNode[];
}

/** Delete controls: a confirming form when scripts run (`.js-only`), a link to the confirmation page otherwise. */
function deleteControls(context: PageContext, base: string, skill: { id: string; label: string }): SafeHtml {
  const { t } = context;
  const action = `${base}/${skill.id}/delete`;
  return html`<a class="no-js-only" href="${action}">${t('skills:curate.local.delete')}<span class="visually-hidden"> ${skill.label}</span></a>
    <form class="inline-form js-only" method="post" action="${action}" data-confirm="${t(
      'skills:curate.delete.question',
      {
        label: skill.label,
      },
    )}">${csrfField(context.csrfToken)}<input type="hidden" name="confirmed" value="yes">
      <button class="link-button" type="submit">${t('skills:curate.local.delete')}<span class="visually-hidden"> ${skill.label}</span></button></form>`;
}

function localTree(context: PageContext, base: string, nodes: CurationSkillNode[]): SafeHtml {
  const { t } = context;
  return html`<ul class="skill-tree curation-tree">
  ${nodes.map(
    (node) => html`<li>
    <span class="curation-skill"><a href="${node.href}">${skillLabel(context, node)}</a> <span class="skill-code">${node.code}</span></span>
    <span class="curation-actions">
      <a href="${base}/${node.id}/edit">${t('skills:curate.local.edit')}<span class="visually-hidden"> ${node.label}</span></a>
      <a href="${base}/${node.id}/crosswalks">${t('skills:curate.local.crosswalks', { count: node.crosswalkCount })}<span class="visually-hidden"> ${node.label}</span></a>
      ${deleteControls(context, base, node)}
    </span>
    ${node.children.length > 0 ? localTree(context, base, node.children) : ''}
  </li>`,
  )}
</ul>`;
}

export function skillsCurationIndexPage(
  context: PageContext,
  data: {
    cityName: string;
    base: string;
    publicHref: string;
    frameworks: string[];
    localSkills: CurationSkillNode[];
    notice?: string;
  },
): SafeHtml {
  const { t } = context;
  const city = data.cityName;
  return layout(context, {
    title: t('skills:curate.title'),
    body: html`<div class="container section">
  <h1>${t('skills:curate.title')}</h1>
  <p>${t('skills:curate.intro', { city })} <a href="${data.publicHref}">${t('skills:curate.publicLink', { city })}</a></p>
  ${notice(data.notice)}
  <section class="section" aria-labelledby="curate-frameworks">
    <h2 id="curate-frameworks">${t('skills:curate.frameworks.heading')}</h2>
    <p>${
      data.frameworks.length === 0
        ? t('skills:browse.noFrameworks')
        : t('skills:curate.frameworks.current', { list: data.frameworks.join(', ') })
    }</p>
    <p><a href="${data.base}/frameworks">${t('skills:curate.frameworks.change')}</a></p>
  </section>
  <section class="section" aria-labelledby="curate-local">
    <h2 id="curate-local">${t('skills:browse.localHeading')}</h2>
    <p><a class="button" href="${data.base}/new">${t('skills:curate.local.add')}</a></p>
    ${data.localSkills.length === 0 ? html`<p>${t('skills:browse.noLocalSkills')}</p>` : localTree(context, data.base, data.localSkills)}
  </section>
</div>`,
  });
}

// ── Frameworks of the city ──────────────────────────────────────────────────────────────────────────────────────

export function skillsFrameworksPage(
  context: PageContext,
  data: {
    cityName: string;
    base: string;
    choices: { value: string; label: string; hint?: string }[];
    checked: string[];
    errors: FieldErrors;
    notice?: string;
    /** For network admins: the other cities this framework choice can be given to. */
    share?: { cities: { value: string; label: string }[]; error?: string };
  },
): SafeHtml {
  const { t } = context;
  const labels = { frameworks: t('skills:curate.frameworks.legend', { city: data.cityName }) };
  return layout(context, {
    title: t('skills:curate.frameworks.title'),
    body: html`<div class="container section">
  ${breadcrumb(context, data.base, t('skills:curate.frameworks.title'))}
  <h1>${t('skills:curate.frameworks.title')}</h1>
  <p>${t('skills:curate.frameworks.intro', { city: data.cityName })}</p>
  ${notice(data.notice)}
  ${errorSummary(t, data.errors, labels)}
  <form class="form" method="post" action="${data.base}/frameworks" novalidate>
    ${csrfField(context.csrfToken)}
    ${formError(data.errors)}
    ${checkboxGroup({
      name: 'frameworks',
      legend: labels.frameworks,
      hint: t('skills:curate.frameworks.hint'),
      checked: data.checked,
      error: data.errors.frameworks,
      choices: data.choices,
    })}
    <div><button class="button" type="submit">${t('skills:curate.frameworks.save')}</button></div>
  </form>
  ${
    data.share
      ? html`<section class="section" aria-labelledby="share-spine">
    <h2 id="share-spine">${t('skills:curate.frameworks.shareHeading')}</h2>
    <p>${t('skills:curate.frameworks.shareIntro', { city: data.cityName })}</p>
    <form class="form" method="post" action="${data.base}/frameworks/share" novalidate>
      ${csrfField(context.csrfToken)}
      ${checkboxGroup({
        name: 'cities',
        legend: t('skills:curate.frameworks.shareLegend'),
        checked: [],
        error: data.share.error,
        choices: data.share.cities,
      })}
      <div><button class="button button-secondary" type="submit">${t('skills:curate.frameworks.shareSubmit')}</button></div>
    </form>
  </section>`
      : ''
  }
</div>`,
  });
}

// ── Local skill form ────────────────────────────────────────────────────────────────────────────────────────────

export interface LocalSkillFormValues {
  code: string;
  parentId: string;
  labels: Record<string, string>;
  descriptions: Record<string, string>;
}

export function localSkillFormPage(
  context: PageContext,
  data: {
    base: string;
    /** The skill being edited; absent when creating one. */
    skill?: { id: string; label: string };
    languages: { code: string; name: string }[];
    values: LocalSkillFormValues;
    parentChoices: { value: string; label: string }[];
    errors: FieldErrors;
  },
): SafeHtml {
  const { t } = context;
  const editing = data.skill;
  const title = editing
    ? t('skills:curate.form.editTitle', { label: editing.label })
    : t('skills:curate.form.createTitle');
  const labels: Record<string, string> = {
    label: t('skills:curate.form.names'),
    description: t('skills:curate.form.descriptions'),
    parentId: t('skills:curate.form.parent'),
    code: t('skills:curate.form.code'),
  };
  const { errors, values } = data;
  const action = editing ? `${data.base}/${editing.id}/edit` : `${data.base}/new`;
  return layout(context, {
    title,
    body: html`<div class="container section">
  ${breadcrumb(context, data.base, title)}
  <h1>${title}</h1>
  ${errorSummary(t, errors, labels)}
  <form class="form" method="post" action="${action}" novalidate>
    ${csrfField(context.csrfToken)}
    ${formError(errors)}
    <fieldset class="field" id="field-label" tabindex="-1"${errors.label ? html` aria-describedby="field-label-error"` : ''}>
      <legend>${labels.label}</legend>
      <p class="hint">${t('skills:curate.form.namesHint')}</p>
      ${errors.label ? html`<p class="field-error" id="field-label-error">${errors.label}</p>` : ''}
      ${data.languages.map((language) =>
        inputField({
          name: `label_${language.code}`,
          label: t('skills:curate.form.nameIn', { language: language.name }),
          value: values.labels[language.code] ?? '',
        }),
      )}
    </fieldset>
    <fieldset class="field" id="field-description" tabindex="-1"${
      errors.description ? html` aria-describedby="field-description-error"` : ''
    }>
      <legend>${labels.description}</legend>
      ${errors.description ? html`<p class="field-error" id="field-description-error">${errors.description}</p>` : ''}
      ${data.languages.map((language) =>
        textareaField({
          name: `description_${language.code}`,
          label: t('skills:curate.form.descriptionIn', { language: language.name }),
          value: values.descriptions[language.code] ?? '',
          rows: 3,
        }),
      )}
    </fieldset>
    ${selectField({
      name: 'parentId',
      label: labels.parentId as string,
      value: values.parentId,
      error: errors.parentId,
      choices: [{ value: '', label: t('skills:curate.form.noParent') }, ...data.parentChoices],
    })}
    ${inputField({
      name: 'code',
      label: labels.code as string,
      value: values.code,
      hint: t('skills:curate.form.codeHint'),
      error: errors.code,
    })}
    <div class="button-row">
      <button class="button" type="submit">${editing ? t('skills:curate.form.save') : t('skills:curate.form.create')}</button>
      <a href="${data.base}">${t('skills:curate.cancel')}</a>
    </div>
  </form>
  ${
    editing
      ? html`<section class="section" aria-labelledby="delete-heading">
    <h2 id="delete-heading">${t('skills:curate.delete.heading')}</h2>
    <p>${t('skills:curate.delete.hint')}</p>
    <p>${deleteControls(context, data.base, editing)}</p>
  </section>`
      : ''
  }
</div>`,
  });
}

// ── Deleting a local skill (the confirmation step without scripts) ──────────────────────────────────────────────

export function deleteLocalSkillPage(
  context: PageContext,
  data: {
    base: string;
    skill: { id: string; label: string; labelLanguage: string };
    childCount: number;
    error?: string;
  },
): SafeHtml {
  const { t } = context;
  const title = t('skills:curate.delete.title', { label: data.skill.label });
  return layout(context, {
    title,
    body: html`<div class="container section">
  ${breadcrumb(context, data.base, title)}
  <h1>${title}</h1>
  ${data.error ? html`<div class="error-summary" role="alert" tabindex="-1" id="error-summary"><p>${data.error}</p></div>` : ''}
  <p>${t('skills:curate.delete.question', { label: data.skill.label })}</p>
  <p>${t('skills:curate.delete.consequences')}</p>
  ${data.childCount > 0 ? html`<p>${t('skills:curate.delete.hasChildren', { count: data.childCount })}</p>` : ''}
  <form class="form" method="post" action="${data.base}/${data.skill.id}/delete">
    ${csrfField(context.csrfToken)}
    <input type="hidden" name="confirmed" value="yes">
    <div class="button-row">
      <button class="button button-danger" type="submit">${t('skills:curate.delete.confirm', { label: data.skill.label })}</button>
      <a href="${data.base}">${t('skills:curate.cancel')}</a>
    </div>
  </form>
</div>`,
  });
}

// ── Crosswalks of one local skill ───────────────────────────────────────────────────────────────────────────────

export interface CurationCrosswalk {
  id: string;
  relation: string;
  skill: { label: string; labelLanguage: string; href: string; framework: { shortTitle: string } };
}

export function crosswalksPage(
  context: PageContext,
  data: {
    base: string;
    citySlug: string;
    skill: { id: string; label: string; labelLanguage: string; href: string };
    crosswalks: CurationCrosswalk[];
    query: string;
    results: PickerSkill[];
    selected: PickerSkill[];
    relation: string;
    errors: FieldErrors;
    notice?: string;
  },
): SafeHtml {
  const { t } = context;
  const { skill, errors } = data;
  const title = t('skills:curate.crosswalks.title', { label: skill.label });
  const labels: Record<string, string> = {
    target: t('skills:curate.crosswalks.target'),
    relation: t('skills:curate.crosswalks.relation'),
  };
  const action = `${data.base}/${skill.id}/crosswalks`;
  return layout(context, {
    title,
    body: html`<div class="container section">
  ${breadcrumb(context, data.base, title)}
  <h1>${title}</h1>
  <p>${t('skills:curate.crosswalks.intro')} <a href="${skill.href}">${t('skills:curate.crosswalks.publicLink')}</a></p>
  ${notice(data.notice)}
  <section class="section" aria-labelledby="crosswalks-current">
    <h2 id="crosswalks-current">${t('skills:curate.crosswalks.currentHeading')}</h2>
    ${
      data.crosswalks.length === 0
        ? html`<p>${t('skills:browse.noCrosswalks')}</p>`
        : html`<table class="data">
      <caption class="visually-hidden">${t('skills:curate.crosswalks.currentHeading')}</caption>
      <thead><tr><th scope="col">${t('skills:curate.crosswalks.skill')}</th><th scope="col">${t('skills:skill.framework')}</th><th scope="col">${labels.relation}</th><th scope="col">${t('skills:curate.actions')}</th></tr></thead>
      <tbody>${data.crosswalks.map(
        (c) => html`<tr>
        <td><a href="${c.skill.href}">${skillLabel(context, c.skill)}</a></td>
        <td>${c.skill.framework.shortTitle}</td>
        <td>${t(`skills:curate.crosswalks.shown.${c.relation}`)}</td>
        <td><form class="inline-form" method="post" action="${action}/${c.id}/remove">${csrfField(context.csrfToken)}
          <button class="link-button" type="submit">${t('skills:curate.crosswalks.remove')}<span class="visually-hidden"> ${c.skill.label}</span></button></form></td>
      </tr>`,
      )}</tbody>
    </table>`
    }
  </section>
  <section class="section" aria-labelledby="crosswalks-add">
    <h2 id="crosswalks-add">${t('skills:curate.crosswalks.addHeading')}</h2>
    ${errorSummary(t, errors, labels)}
    <form class="form" method="post" action="${action}" novalidate>
      ${csrfField(context.csrfToken)}
      ${formError(errors)}
      <fieldset class="field" id="field-target" tabindex="-1"${errors.target ? html` aria-describedby="field-target-error"` : ''}>
        <legend>${labels.target}</legend>
        <p class="hint">${t('skills:curate.crosswalks.targetHint')}</p>
        ${errors.target ? html`<p class="field-error" id="field-target-error">${errors.target}</p>` : ''}
        ${skillPicker(context, {
          mode: 'select',
          citySlug: data.citySlug,
          id: 'target',
          name: 'target',
          query: data.query,
          results: data.results,
          selected: data.selected,
        })}
        <div><button class="button button-secondary" type="submit" name="intent" value="search">${t('skills:picker.submit')}</button></div>
      </fieldset>
      ${selectField({
        name: 'relation',
        label: labels.relation as string,
        value: data.relation,
        error: errors.relation,
        choices: relations.map((relation) => ({
          value: relation,
          label: t(`skills:curate.crosswalks.relations.${relation}`),
        })),
      })}
      <div class="button-row">
        <button class="button" type="submit" name="intent" value="add">${t('skills:curate.crosswalks.add')}</button>
        <a href="${data.base}">${t('skills:curate.back')}</a>
      </div>
    </form>
  </section>
</div>
<script type="module" src="${context.assets.url('skill-picker.js')}"></script>`,
  });
}
