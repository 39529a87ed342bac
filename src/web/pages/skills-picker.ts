import { html, type SafeHtml } from '../html.ts';
import type { PageContext } from '../layout.ts';

/** One skill as the picker lists it. */
export interface PickerSkill {
  id: string;
  label: string;
  labelLanguage: string;
  framework: { shortTitle: string };
  kind: string;
  levels: { id: string; name: string }[];
  matched?: string | null;
  via?: { label: string; relation: string } | null;
  /** Link to the skill page (navigate mode). */
  href?: string;
}

export interface SkillPickerOptions {
  /** `navigate`: a search box whose results open skill pages. `select`: a form field that collects skills. */
  mode: 'navigate' | 'select';
  citySlug: string;
  /** Unique per page: ids of the input, hint and lists derive from it. */
  id: string;
  /** The form field name for chosen skill ids (select mode); levels go in `<name>Level[<skill id>]`. */
  name?: string;
  /** What was searched (server-rendered results are shown for it). */
  query?: string;
  /** Server-rendered results for `query`: the picker works without JavaScript. */
  results?: PickerSkill[];
  /** Already chosen skills (select mode). */
  selected?: (PickerSkill & { level?: string | null })[];
  /** Where the search form goes without JavaScript (navigate mode). */
  action?: string;
}

function frameworkTag(context: PageContext, skill: PickerSkill): SafeHtml {
  return html`<span class="skill-tag">${skill.framework.shortTitle}</span> <span class="skill-kind">${context.t(
    `skills:skill.kind.${skill.kind}`,
  )}</span>`;
}

function resultNote(context: PageContext, skill: PickerSkill): SafeHtml | string {
  const { t } = context;
  if (skill.via) {
    return html`<span class="skill-note">${t('skills:picker.via', {
      label: skill.via.label,
      relation: t(`skills:skill.relation.${skill.via.relation}`),
    })}</span>`;
  }
  if (skill.matched)
    return html`<span class="skill-note">${t('skills:picker.matched', { label: skill.matched })}</span>`;
  return '';
}

/** The label of a skill, marked with its language when it is a fallback (screen readers pronounce it right). */
export function skillLabel(context: PageContext, skill: { label: string; labelLanguage: string }): SafeHtml {
  return skill.labelLanguage === context.language
    ? html`${skill.label}`
    : html`<span lang="${skill.labelLanguage}">${skill.label}</span>`;
}

function resultsList(context: PageContext, options: SkillPickerOptions): SafeHtml | string {
  const { t } = context;
  if (!options.query) return '';
  const results = options.results ?? [];
  if (results.length === 0) {
    return html`<p class="skill-results-empty">${t('skills:picker.noResults', { query: options.query })}</p>`;
  }
  return html`<h2 class="skill-results-heading" id="${options.id}-results-heading">${t('skills:picker.resultsHeading', {
    query: options.query,
  })}</h2>
<p class="visually-hidden">${t('skills:picker.resultCount', { count: results.length })}</p>
<ul class="skill-results" aria-labelledby="${options.id}-results-heading">
  ${results.map((skill) =>
    options.mode === 'navigate'
      ? html`<li><a href="${skill.href ?? '#'}">${skillLabel(context, skill)}</a> ${frameworkTag(context, skill)} ${resultNote(
          context,
          skill,
        )}</li>`
      : html`<li><label><input type="checkbox" name="${options.name ?? 'skills'}" value="${skill.id}"> ${skillLabel(
          context,
          skill,
        )}</label> ${frameworkTag(context, skill)} ${resultNote(context, skill)}</li>`,
  )}
</ul>`;
}

function selectedList(context: PageContext, options: SkillPickerOptions): SafeHtml {
  const { t } = context;
  const name = options.name ?? 'skills';
  return html`<div class="skill-selected">
  <p id="${options.id}-selected-label" class="skill-selected-label">${t('skills:picker.selected')}</p>
  <ul class="skill-chips" aria-labelledby="${options.id}-selected-label" data-skill-chips>
    ${(options.selected ?? []).map(
      (skill) => html`<li class="skill-chip" data-skill-id="${skill.id}">
      <input type="hidden" name="${name}" value="${skill.id}">
      <span>${skillLabel(context, skill)}</span> ${frameworkTag(context, skill)}
      ${
        skill.levels.length > 0
          ? html`<label class="visually-hidden" for="${options.id}-level-${skill.id}">${t('skills:picker.level', {
              label: skill.label,
            })}</label>
      <select id="${options.id}-level-${skill.id}" name="${name}Level[${skill.id}]">
        <option value="">${t('skills:picker.anyLevel')}</option>
        ${skill.levels.map(
          (level) =>
            html`<option value="${level.id}"${skill.level === level.id ? html` selected` : ''}>${level.name}</option>`,
        )}
      </select>`
          : ''
      }
      <button type="button" class="link-button" data-remove aria-label="${t('skills:picker.remove', {
        label: skill.label,
      })}">×</button>
    </li>`,
    )}
  </ul>
</div>`;
}

/**
 * The skill picker: a server-rendered search with a result list, enhanced by the `skill-picker.js` island into an
 * accessible combobox (typeahead, arrow keys, Enter, Escape). In `navigate` mode it is its own GET form; in
 * `select` mode it is a field inside the caller's form, whose handler re-renders it with `results` for `query`.
 */
export function skillPicker(context: PageContext, options: SkillPickerOptions): SafeHtml {
  const { t } = context;
  const inputId = `${options.id}-input`;
  const field = html`<label for="${inputId}">${t('skills:picker.label')}</label>
    <p id="${options.id}-hint" class="hint">${t('skills:picker.hint')}</p>
    <div class="skill-picker-field">
      <input id="${inputId}" name="${options.mode === 'navigate' ? 'q' : `${options.name ?? 'skills'}Query`}" type="search"
        value="${options.query ?? ''}" autocomplete="off" spellcheck="false" aria-describedby="${options.id}-hint">
      ${options.mode === 'navigate' ? html`<button class="button" type="submit">${t('skills:picker.submit')}</button>` : ''}
    </div>`;
  return html`<div class="skill-picker field" data-skill-picker data-mode="${options.mode}"
  data-search-url="/api/v1/cities/${options.citySlug}/skills" data-page-base="/c/${options.citySlug}/skills/"
  data-language="${context.language}" data-name="${options.name ?? 'skills'}"
  data-text-loading="${t('skills:picker.loading')}" data-text-failed="${t('skills:picker.searchFailed')}"
  data-text-none="${t('skills:picker.noResults', { query: '{{query}}' })}"
  ${(['one', 'few', 'many', 'other'] as const).map(
    (form) => html` data-text-count-${form}="${t(`skills:picker.resultCount_${form}`, { count: '{{count}}' })}"`,
  )}
  data-text-remove="${t('skills:picker.remove', { label: '{{label}}' })}"
  data-text-level="${t('skills:picker.level', { label: '{{label}}' })}"
  data-text-any-level="${t('skills:picker.anyLevel')}"
  data-text-matched="${t('skills:picker.matched', { label: '{{label}}' })}">
  ${
    options.mode === 'navigate'
      ? html`<form role="search" method="get" action="${options.action ?? `/c/${options.citySlug}/skills`}">${field}</form>`
      : html`${selectedList(context, options)}${field}`
  }
  <div class="skill-picker-results" data-server-results>${resultsList(context, options)}</div>
</div>`;
}
