import { csrfField, errorSummary, type FieldErrors, inputField } from '../forms.ts';
import { html, raw, type SafeHtml } from '../html.ts';
import { languageName } from '../i18n.ts';
import { layout, type PageContext } from '../layout.ts';
import { checkboxGroup, selectField, textareaField } from './form-controls.ts';
import { imageFileField, numberField, radioGroup, skillsFieldset } from './organiser-form-controls.ts';
import type { PickerSkill } from './skills-picker.ts';

/**
 * The organiser's badge pages: the list with status tabs, the form (new and edit, with a server-rendered preview of
 * the generated design and an upload form), and the confirmation pages for publishing and archiving. Every value in
 * the form is a string as typed, so a form that failed validation comes back with everything the person entered.
 */

export interface RequirementFormValues {
  kind: string;
  instructions: Record<string, string>;
}

export interface DesignFormValues {
  shape: string;
  background: string;
  foreground: string;
  accent: string;
  icon: string;
  text: string;
}

export interface BadgeFormValues {
  slug: string;
  kind: string;
  name: Record<string, string>;
  description: Record<string, string>;
  criteria: Record<string, string>;
  alt: Record<string, string>;
  requirements: RequirementFormValues[];
  /** 'generated', or 'upload' to keep the uploaded image. */
  imageSource: string;
  design: DesignFormValues;
  tags: string;
  validityMonths: string;
  skills: { id: string; level: string }[];
  skillsQuery: string;
  prerequisites: string[];
  activities: string[];
  awardOnAttendance: string[];
  evidenceClaimsOpen: boolean;
  peerConfirmationsRequired: string;
  rowVersion: string;
}

export const designDefaults: DesignFormValues = {
  shape: 'circle',
  background: '#0b5cad',
  foreground: '#ffffff',
  accent: '#f2b705',
  icon: 'star',
  text: '',
};

export function emptyBadgeForm(languages: readonly string[]): BadgeFormValues {
  const perLanguage = () => Object.fromEntries(languages.map((language) => [language, '']));
  return {
    slug: '',
    kind: 'participation',
    name: perLanguage(),
    description: perLanguage(),
    criteria: perLanguage(),
    alt: perLanguage(),
    requirements: [],
    imageSource: 'generated',
    design: { ...designDefaults },
    tags: '',
    validityMonths: '',
    skills: [],
    skillsQuery: '',
    prerequisites: [],
    activities: [],
    awardOnAttendance: [],
    evidenceClaimsOpen: false,
    peerConfirmationsRequired: '',
    rowVersion: '',
  };
}

export interface Choice {
  id: string;
  label: string;
  labelLanguage: string;
  organisationName: string;
  own: boolean;
}

export interface BadgeFormPage {
  mode: 'new' | 'edit';
  /** `/c/{city}/manage/{organisationId}`. */
  manageBase: string;
  organisation: { id: string; name: string };
  badge?: {
    id: string;
    slug: string;
    status: string;
    version: number;
    name: string;
    imageSource: string;
    /** The current image (PNG) and its alt text. */
    imageUrl: string;
    imageAlt: string;
  };
  values: BadgeFormValues;
  errors: FieldErrors;
  formError?: string;
  notice?: string;
  /** The city's languages, main language first. */
  languages: readonly string[];
  kinds: readonly string[];
  shapes: readonly string[];
  icons: readonly string[];
  requirementKinds: readonly string[];
  /** The icons' drawings (trusted markup on a 24×24 grid), shown beside their names. */
  iconMarkup: Record<string, string>;
  skills: { selected: (PickerSkill & { level?: string | null })[]; results: PickerSkill[] };
  prerequisiteChoices: Choice[];
  activityChoices: Choice[];
  /** The generated design drawn from the form's values, when they describe one. */
  preview?: { svgDataUri: string; alt: string; contrast: number | null };
  uploadErrors?: FieldErrors;
  uploadAlt?: Record<string, string>;
  /** Where the credentials module awards and lists this badge (published badges). */
  awardHref?: string;
  issuedHref?: string;
}

/**
 * The form's fields that errors are shown beside, by the name of their `field-<name>` element (besides the design's
 * parts, the texts in each language and the requirement rows); each has a label `badges:fields.<name>`.
 */
export const badgeFieldNames = [
  'slug',
  'kind',
  'requirements',
  'imageSource',
  'tags',
  'validityMonths',
  'skills',
  'prerequisites',
  'activities',
  'awardOnAttendance',
  'evidenceClaimsOpen',
  'peerConfirmationsRequired',
] as const;

/** The parts of the generated design, each a field `design-<part>` labelled `badges:fields.<part>`. */
export const designParts = ['shape', 'background', 'foreground', 'accent', 'icon', 'text'] as const;

/** Labels of every field, keyed like the errors, for the error summary. */
export function badgeFieldLabels(context: PageContext, languages: readonly string[], requirements: number) {
  const { t } = context;
  const labels: Record<string, string> = {};
  for (const name of badgeFieldNames) labels[name] = t(`badges:fields.${name}`);
  for (const part of designParts) labels[`design-${part}`] = t(`badges:fields.${part}`);
  for (const language of languages) {
    const name = languageName(language as 'en');
    labels[`name-${language}`] = t('badges:form.nameIn', { language: name });
    labels[`description-${language}`] = t('badges:form.descriptionIn', { language: name });
    labels[`criteria-${language}`] = t('badges:form.criteriaIn', { language: name });
    labels[`alt-${language}`] = t('badges:form.altIn', { language: name });
    for (let i = 0; i < requirements; i++) {
      labels[`requirements-${i}-instructions-${language}`] = t('badges:form.instructionsIn', {
        number: i + 1,
        language: name,
      });
    }
  }
  for (let i = 0; i < requirements; i++) {
    labels[`requirements-${i}-kind`] = t('badges:form.requirementKind', { number: i + 1 });
  }
  return labels;
}

function colourField(name: string, label: string, value: string, error?: string, hint?: string): SafeHtml {
  const id = `field-design-${name}`;
  const describedBy = [hint ? `${id}-hint` : '', error ? `${id}-error` : ''].filter(Boolean).join(' ');
  return html`<div class="field field-short badge-colour">
  <label for="${id}">${label}</label>
  ${hint ? html`<p class="hint" id="${id}-hint">${hint}</p>` : ''}
  ${error ? html`<p class="field-error" id="${id}-error">${error}</p>` : ''}
  <input id="${id}" name="design-${name}" type="text" value="${value}" pattern="#[0-9a-fA-F]{6}" maxlength="7" spellcheck="false" autocomplete="off"${
    describedBy ? html` aria-describedby="${describedBy}"` : ''
  }${error ? html` aria-invalid="true"` : ''}>
</div>`;
}

function choiceList(
  context: PageContext,
  options: { name: string; label: string; hint: string; error?: string; choices: Choice[]; selected: string[] },
): SafeHtml {
  const { t } = context;
  const id = `field-${options.name}`;
  const own = options.choices.filter((choice) => choice.own);
  const others = options.choices.filter((choice) => !choice.own);
  const option = (choice: Choice) =>
    html`<option value="${choice.id}"${options.selected.includes(choice.id) ? html` selected` : ''}${
      choice.labelLanguage !== context.language ? html` lang="${choice.labelLanguage}"` : ''
    }>${choice.label}${choice.own ? '' : ` — ${choice.organisationName}`}</option>`;
  return html`<div class="field">
  <label for="${id}">${options.label}</label>
  <p class="hint" id="${id}-hint">${options.hint}</p>
  ${options.error ? html`<p class="field-error" id="${id}-error">${options.error}</p>` : ''}
  ${
    options.choices.length === 0
      ? html`<p id="${id}" tabindex="-1">${t('badges:form.noChoices')}</p>`
      : html`<select id="${id}" name="${options.name}" multiple size="${Math.min(8, Math.max(3, options.choices.length + 1))}" aria-describedby="${id}-hint${
          options.error ? ` ${id}-error` : ''
        }"${options.error ? html` aria-invalid="true"` : ''}>
    ${own.length > 0 ? html`<optgroup label="${t('badges:form.ours')}">${own.map(option)}</optgroup>` : ''}
    ${others.length > 0 ? html`<optgroup label="${t('badges:form.others')}">${others.map(option)}</optgroup>` : ''}
  </select>`
  }
</div>`;
}

function iconLabel(page: BadgeFormPage, context: PageContext, icon: string): SafeHtml {
  const drawing = page.iconMarkup[icon] ?? '';
  return html`<svg class="badge-icon-sample" viewBox="0 0 24 24" width="24" height="24" aria-hidden="true" focusable="false" fill="none" stroke="currentColor" stroke-width="1.75" stroke-linecap="round" stroke-linejoin="round">${raw(
    drawing,
  )}</svg> ${context.t(`badges:icons.${icon}`)}`;
}

function requirementFieldset(context: PageContext, page: BadgeFormPage, index: number): SafeHtml {
  const { t } = context;
  const requirement = page.values.requirements[index] as RequirementFormValues;
  const key = `requirements-${index}`;
  return html`<fieldset class="field badge-requirement" id="field-${key}" tabindex="-1">
  <legend>${t('badges:form.requirementLegend', { number: index + 1 })}</legend>
  ${selectField({
    name: `${key}-kind`,
    label: t('badges:form.requirementKind', { number: index + 1 }),
    value: requirement.kind,
    error: page.errors[`${key}-kind`],
    choices: page.requirementKinds.map((kind) => ({ value: kind, label: t(`badges:requirementKinds.${kind}`) })),
  })}
  ${page.languages.map((language) =>
    textareaField({
      name: `${key}-instructions-${language}`,
      label: t('badges:form.instructionsIn', { number: index + 1, language: languageName(language as 'en') }),
      value: requirement.instructions[language] ?? '',
      error: page.errors[`${key}-instructions-${language}`],
      rows: 2,
    }),
  )}
  <div><button class="link-button" type="submit" name="intent" value="removeRequirement:${index}" formnovalidate>${t(
    'badges:form.removeRequirement',
    { number: index + 1 },
  )}</button></div>
</fieldset>`;
}

function imageSection(context: PageContext, page: BadgeFormPage): SafeHtml {
  const { t } = context;
  const { values: v, errors } = page;
  const hasUpload = page.badge?.imageSource === 'upload';
  return html`<section class="section" aria-labelledby="image-heading" id="image">
  <h2 id="image-heading">${t('badges:form.imageHeading')}</h2>
  ${page.languages.map((language, index) =>
    inputField({
      name: `alt-${language}`,
      label: t('badges:form.altIn', { language: languageName(language as 'en') }),
      hint: index === 0 ? t('badges:form.altHint') : undefined,
      value: v.alt[language] ?? '',
      error: errors[`alt-${language}`],
      required: index === 0,
    }),
  )}
  <div class="badge-design-layout">
    <div class="badge-design-fields">
      ${
        hasUpload
          ? radioGroup({
              name: 'imageSource',
              legend: t('badges:fields.imageSource'),
              value: v.imageSource,
              error: errors.imageSource,
              choices: [
                { value: 'upload', label: t('badges:form.sourceUpload') },
                { value: 'generated', label: t('badges:form.sourceGenerated') },
              ],
            })
          : html`<input type="hidden" name="imageSource" value="generated">`
      }
      <fieldset class="field badge-design" id="field-design" tabindex="-1">
        <legend>${t('badges:form.designLegend')}</legend>
        <p class="hint">${t('badges:form.designHint')}</p>
        ${radioGroup({
          name: 'design-shape',
          legend: t('badges:fields.shape'),
          value: v.design.shape,
          error: errors['design-shape'],
          className: 'badge-choice-grid',
          choices: page.shapes.map((shape) => ({ value: shape, label: t(`badges:shapes.${shape}`) })),
        })}
        <div class="date-pair">
          ${colourField('background', t('badges:fields.background'), v.design.background, errors['design-background'])}
          ${colourField('foreground', t('badges:fields.foreground'), v.design.foreground, errors['design-foreground'], t('badges:form.foregroundHint'))}
          ${colourField('accent', t('badges:fields.accent'), v.design.accent, errors['design-accent'])}
        </div>
        ${radioGroup({
          name: 'design-icon',
          legend: t('badges:fields.icon'),
          value: v.design.icon,
          error: errors['design-icon'],
          className: 'badge-choice-grid',
          choices: page.icons.map((icon) => ({ value: icon, label: iconLabel(page, context, icon) })),
        })}
        ${inputField({
          name: 'design-text',
          label: t('badges:fields.text'),
          hint: t('badges:form.textHint'),
          value: v.design.text,
          error: errors['design-text'],
        })}
        <div><button class="button button-secondary" type="submit" name="intent" value="preview" formnovalidate>${t(
          'badges:form.preview',
        )}</button></div>
      </fieldset>
    </div>
    <figure class="badge-preview" aria-labelledby="badge-preview-caption">
      ${
        page.preview
          ? html`<img src="${page.preview.svgDataUri}" alt="${page.preview.alt}" width="200" height="200">`
          : page.badge
            ? html`<img src="${page.badge.imageUrl}" alt="${page.badge.imageAlt}" width="200" height="200">`
            : html`<p>${t('badges:form.noPreview')}</p>`
      }
      <figcaption id="badge-preview-caption">${
        page.preview && v.imageSource === 'generated' ? t('badges:form.previewCaption') : t('badges:form.currentImage')
      }${
        page.preview?.contrast
          ? html`<br><span class="hint">${t('badges:form.contrast', { ratio: page.preview.contrast.toFixed(1) })}</span>`
          : ''
      }</figcaption>
    </figure>
  </div>
</section>`;
}

function uploadSection(context: PageContext, page: BadgeFormPage): SafeHtml {
  const { t } = context;
  const badge = page.badge;
  if (!badge) {
    return html`<section class="section" aria-labelledby="upload-heading">
  <h2 id="upload-heading">${t('badges:form.uploadHeading')}</h2>
  <p>${t('badges:form.uploadAfterSave')}</p>
</section>`;
  }
  const errors = page.uploadErrors ?? {};
  return html`<section class="section" aria-labelledby="upload-heading" id="upload">
  <h2 id="upload-heading">${t('badges:form.uploadHeading')}</h2>
  ${errorSummary(t, errors, { image: t('badges:form.uploadFile') })}
  <form class="form" method="post" action="${page.manageBase}/badges/${badge.id}/image" enctype="multipart/form-data" aria-labelledby="upload-heading">
    ${csrfField(context.csrfToken)}
    <input type="hidden" name="version" value="${page.values.rowVersion}">
    ${imageFileField({
      label: t('badges:form.uploadFile'),
      hint: t('badges:form.uploadHint'),
      accept: 'image/png,image/svg+xml',
      error: errors.image,
    })}
    ${page.languages.map((language) =>
      inputField({
        name: `upload-alt-${language}`,
        label: t('badges:form.uploadAltIn', { language: languageName(language as 'en') }),
        value: page.uploadAlt?.[language] ?? '',
        error: errors[`alt-${language}`],
      }),
    )}
    <div><button class="button button-secondary" type="submit">${t('badges:form.upload')}</button></div>
  </form>
</section>`;
}

export function badgeFormPage(context: PageContext, page: BadgeFormPage): SafeHtml {
  const { t } = context;
  const { values: v, errors } = page;
  const labels = badgeFieldLabels(context, page.languages, v.requirements.length);
  const status = page.badge?.status ?? 'draft';
  const title =
    page.mode === 'new' ? t('badges:form.newTitle') : t('badges:form.editTitle', { name: page.badge?.name ?? '' });
  const action = page.mode === 'new' ? `${page.manageBase}/badges/new` : `${page.manageBase}/badges/${page.badge?.id}`;
  const badgeBase = page.badge ? `${page.manageBase}/badges/${page.badge.id}` : '';
  const ownActivities = page.activityChoices.filter((choice) => choice.own);
  return layout(context, {
    title,
    head: html`<link rel="stylesheet" href="${context.assets.url('catalogue.css')}">`,
    body: html`<div class="container section badge-form-page">
  <nav aria-label="${t('badges:breadcrumb')}" class="breadcrumb"><ol>
    <li><a href="${page.manageBase}">${page.organisation.name}</a></li>
    <li><a href="${page.manageBase}/badges">${t('badges:list.title')}</a></li>
    <li aria-current="page">${title}</li>
  </ol></nav>
  <h1>${title}</h1>
  ${page.notice ? html`<p class="success" role="status">${page.notice}</p>` : ''}
  ${
    page.badge
      ? html`<p>${t('badges:form.statusLine', { status: t(`badges:statuses.${status}`), version: page.badge.version })}
    ${status !== 'draft' ? html` · <a href="${context.city?.homePath}/badges/${page.badge.slug}">${t('badges:form.viewPage')}</a>` : ''}
    ${page.awardHref ? html` · <a href="${page.awardHref}">${t('badges:form.award')}</a>` : ''}
    ${page.awardHref ? html` · <a href="${page.awardHref.replace(/\/award$/, '/claim-codes')}">${t('claims:manage.link')}</a>` : ''}
    ${page.issuedHref ? html` · <a href="${page.issuedHref}">${t('badges:form.issued')}</a>` : ''}</p>`
      : ''
  }
  ${status === 'published' ? html`<p class="notice">${t('badges:form.versionNote')}</p>` : ''}
  ${status === 'archived' ? html`<p class="notice">${t('badges:form.archivedNote')}</p>` : ''}
  ${page.formError ? html`<div class="error-summary" role="alert" id="form-error"><p>${page.formError}</p></div>` : ''}
  ${errorSummary(t, errors, labels)}
  <form class="form badge-form" method="post" action="${action}" novalidate>
    ${csrfField(context.csrfToken)}
    <input type="hidden" name="version" value="${v.rowVersion}">
    <button class="visually-hidden" type="submit" name="intent" value="save" tabindex="-1" aria-hidden="true">${t('badges:form.save')}</button>

    <section class="section" aria-labelledby="about-heading">
      <h2 id="about-heading">${t('badges:form.aboutHeading')}</h2>
      ${radioGroup({
        name: 'kind',
        legend: t('badges:fields.kind'),
        value: v.kind,
        error: errors.kind,
        choices: page.kinds.map((kind) => ({
          value: kind,
          label: t(`badges:kinds.${kind}`),
          hint: t(`badges:kindHints.${kind}`),
        })),
      })}
      <p class="hint">${t('badges:form.languagesHint')}</p>
      ${page.languages.map(
        (language, index) => html`<fieldset class="field language-fields">
        <legend>${languageName(language as 'en')}</legend>
        ${inputField({
          name: `name-${language}`,
          label: labels[`name-${language}`] as string,
          value: v.name[language] ?? '',
          error: errors[`name-${language}`],
          required: index === 0,
        })}
        ${textareaField({
          name: `description-${language}`,
          label: labels[`description-${language}`] as string,
          value: v.description[language] ?? '',
          error: errors[`description-${language}`],
          required: index === 0,
          rows: 3,
        })}
        ${textareaField({
          name: `criteria-${language}`,
          label: labels[`criteria-${language}`] as string,
          hint: index === 0 ? t('badges:form.criteriaHint') : undefined,
          value: v.criteria[language] ?? '',
          error: errors[`criteria-${language}`],
          required: index === 0,
          rows: 4,
        })}
      </fieldset>`,
      )}
      ${inputField({ name: 'slug', label: t('badges:fields.slug'), hint: t('badges:form.slugHint'), value: v.slug, error: errors.slug })}
    </section>

    ${imageSection(context, page)}

    <section class="section" aria-labelledby="earning-heading">
      <h2 id="earning-heading">${t('badges:form.earningHeading')}</h2>
      <div id="field-requirements" tabindex="-1">
        <p class="hint">${t('badges:form.requirementsHint')}</p>
        ${errors.requirements ? html`<p class="field-error">${errors.requirements}</p>` : ''}
        ${v.requirements.length === 0 ? html`<p>${t('badges:form.noRequirements')}</p>` : ''}
        ${v.requirements.map((_, index) => requirementFieldset(context, page, index))}
        <div><button class="button button-secondary" type="submit" name="intent" value="addRequirement" formnovalidate>${t(
          'badges:form.addRequirement',
        )}</button></div>
      </div>
      <div class="checkbox field" id="field-evidenceClaimsOpen">
        <input type="checkbox" id="field-evidenceClaimsOpen-input" name="evidenceClaimsOpen" value="true"${
          v.evidenceClaimsOpen ? html` checked` : ''
        }>
        <label for="field-evidenceClaimsOpen-input">${t('badges:fields.evidenceClaimsOpen')} <span class="hint">${t(
          'badges:form.evidenceHint',
        )}</span></label>
      </div>
      ${numberField({ name: 'peerConfirmationsRequired', label: t('badges:fields.peerConfirmationsRequired'), hint: t('badges:form.peerHint'), value: v.peerConfirmationsRequired, error: errors.peerConfirmationsRequired, min: 1, max: 20 })}
      ${numberField({ name: 'validityMonths', label: t('badges:fields.validityMonths'), hint: t('badges:form.validityHint'), value: v.validityMonths, error: errors.validityMonths, min: 1, max: 600 })}
    </section>

    <section class="section" aria-labelledby="skills-heading">
      <h2 id="skills-heading">${t('badges:form.skillsHeading')}</h2>
      ${inputField({ name: 'tags', label: t('badges:fields.tags'), hint: t('badges:form.tagsHint'), value: v.tags, error: errors.tags })}
      ${skillsFieldset(context, {
        legend: t('badges:fields.skills'),
        hint: t('badges:form.skillsHint'),
        pickerId: 'badge-skills',
        query: v.skillsQuery,
        skills: page.skills,
        error: errors.skills,
      })}
    </section>

    <section class="section" aria-labelledby="connections-heading">
      <h2 id="connections-heading">${t('badges:form.connectionsHeading')}</h2>
      ${choiceList(context, {
        name: 'prerequisites',
        label: t('badges:fields.prerequisites'),
        hint: t('badges:form.prerequisitesHint'),
        error: errors.prerequisites,
        choices: page.prerequisiteChoices,
        selected: v.prerequisites,
      })}
      ${choiceList(context, {
        name: 'activities',
        label: t('badges:fields.activities'),
        hint: t('badges:form.activitiesHint'),
        error: errors.activities,
        choices: page.activityChoices,
        selected: v.activities,
      })}
      ${
        ownActivities.length > 0
          ? checkboxGroup({
              name: 'awardOnAttendance',
              legend: t('badges:fields.awardOnAttendance'),
              hint: t('badges:form.awardHint'),
              error: errors.awardOnAttendance,
              checked: v.awardOnAttendance,
              choices: ownActivities.map((choice) => ({ value: choice.id, label: choice.label })),
            })
          : ''
      }
    </section>

    <div class="button-row form-actions">
      <button class="button" type="submit" name="intent" value="save">${
        status === 'draft' ? t('badges:form.saveDraft') : t('badges:form.saveChanges')
      }</button>
      ${
        page.badge && status !== 'published'
          ? html`<a class="button button-secondary" href="${badgeBase}/publish">${t('badges:form.publish')}</a>`
          : ''
      }
      ${
        page.badge && status !== 'archived'
          ? html`<a class="button button-secondary" href="${badgeBase}/archive">${t('badges:form.archive')}</a>`
          : ''
      }
      <a href="${page.manageBase}/badges">${t('badges:form.cancel')}</a>
    </div>
  </form>
  ${uploadSection(context, page)}
</div>
<script type="module" src="${context.assets.url('skill-picker.js')}"></script>`,
  });
}

// ── The list ────────────────────────────────────────────────────────────────────────────────────────────────────

export const badgeListTabs = ['draft', 'published', 'archived'] as const;
export type BadgeListTab = (typeof badgeListTabs)[number];

export interface BadgeRow {
  id: string;
  slug: string;
  status: string;
  kind: string;
  name: { text: string; language: string };
  imageUrl: string;
  imageAlt: string;
  version: number;
  updatedAt: Date;
}

export function badgeListPage(
  context: PageContext,
  data: {
    manageBase: string;
    organisation: { id: string; name: string };
    tab: BadgeListTab;
    items: BadgeRow[];
    nextCursor: string | null;
    firstPage: boolean;
    timeZone: string;
    notice?: string;
  },
): SafeHtml {
  const { t } = context;
  const base = `${data.manageBase}/badges`;
  const title = t('badges:list.titleFor', { organisation: data.organisation.name });
  const when = new Intl.DateTimeFormat(context.language, {
    dateStyle: 'medium',
    timeStyle: 'short',
    timeZone: data.timeZone,
  });
  return layout(context, {
    title,
    head: html`<link rel="stylesheet" href="${context.assets.url('catalogue.css')}">`,
    body: html`<div class="container section">
  <nav aria-label="${t('badges:breadcrumb')}" class="breadcrumb"><ol>
    <li><a href="${data.manageBase}">${data.organisation.name}</a></li>
    <li aria-current="page">${t('badges:list.title')}</li>
  </ol></nav>
  <h1>${title}</h1>
  ${data.notice ? html`<p class="success" role="status">${data.notice}</p>` : ''}
  <p>${t('badges:list.intro')}</p>
  <p class="button-row"><a class="button" href="${base}/new">${t('badges:list.new')}</a></p>
  <nav aria-label="${t('badges:list.tabsLabel')}"><ul class="filter-list activity-tabs">
    ${badgeListTabs.map(
      (tab) =>
        html`<li><a href="${base}?status=${tab}"${tab === data.tab ? html` aria-current="page"` : ''}>${t(`badges:tabs.${tab}`)}</a></li>`,
    )}
  </ul></nav>
  <h2 class="visually-hidden">${t(`badges:tabs.${data.tab}`)}</h2>
  ${
    data.items.length === 0
      ? html`<div class="empty-state"><p>${t(`badges:list.empty.${data.tab}`)}</p>${
          data.tab === 'draft' ? html`<p><a href="${base}/new">${t('badges:list.emptyAction')}</a></p>` : ''
        }</div>`
      : html`<ul class="card-list badge-rows">${data.items.map((row) => {
          const name = row.name.text || t('badges:list.untitled');
          return html`<li class="card badge-row">
      <img src="${row.imageUrl}" alt="${row.imageAlt}" width="72" height="72" loading="lazy">
      <div>
        <h3 class="card-title"><a href="${base}/${row.id}"${row.name.language !== context.language ? html` lang="${row.name.language}"` : ''}>${name}</a></h3>
        <p>${t(`badges:statuses.${row.status}`)} · ${t(`badges:kinds.${row.kind}`)} · ${t('badges:list.version', { version: row.version })}</p>
        <p class="hint">${t('badges:list.updated', { when: when.format(new Date(row.updatedAt)) })}</p>
        <div class="button-row">
          <a class="button button-secondary" href="${base}/${row.id}">${t('badges:list.edit')}<span class="visually-hidden"> ${name}</span></a>
          ${row.status !== 'draft' ? html`<a href="${context.city?.homePath}/badges/${row.slug}">${t('badges:list.view')}<span class="visually-hidden"> ${name}</span></a>` : ''}
          ${row.status !== 'published' ? html`<a href="${base}/${row.id}/publish">${t('badges:list.publish')}<span class="visually-hidden"> ${name}</span></a>` : ''}
          ${row.status !== 'archived' ? html`<a href="${base}/${row.id}/archive">${t('badges:list.archive')}<span class="visually-hidden"> ${name}</span></a>` : ''}
        </div>
      </div>
    </li>`;
        })}</ul>`
  }
  ${
    data.nextCursor || !data.firstPage
      ? html`<nav class="pagination" aria-label="${t('badges:list.paging')}"><ul>
    ${data.firstPage ? '' : html`<li><a href="${base}?status=${data.tab}">${t('badges:list.firstPage')}</a></li>`}
    ${data.nextCursor ? html`<li><a rel="next" href="${base}?status=${data.tab}&cursor=${encodeURIComponent(data.nextCursor)}">${t('badges:list.nextPage')}</a></li>` : ''}
  </ul></nav>`
      : ''
  }
</div>`,
  });
}

// ── Confirmation of publishing and archiving ────────────────────────────────────────────────────────────────────

export function badgeConfirmPage(
  context: PageContext,
  data: {
    change: 'publish' | 'archive';
    manageBase: string;
    organisation: { name: string };
    badge: { id: string; name: string; imageUrl: string; imageAlt: string; rowVersion: number };
    errors?: FieldErrors;
    problems?: string[];
  },
): SafeHtml {
  const { t } = context;
  const title = t(`badges:confirm.${data.change}Title`, { name: data.badge.name });
  const badgeBase = `${data.manageBase}/badges/${data.badge.id}`;
  return layout(context, {
    title,
    body: html`<div class="container section">
  <nav aria-label="${t('badges:breadcrumb')}" class="breadcrumb"><ol>
    <li><a href="${data.manageBase}">${data.organisation.name}</a></li>
    <li><a href="${data.manageBase}/badges">${t('badges:list.title')}</a></li>
    <li><a href="${badgeBase}">${data.badge.name}</a></li>
    <li aria-current="page">${title}</li>
  </ol></nav>
  <h1>${title}</h1>
  ${
    data.problems && data.problems.length > 0
      ? html`<div class="error-summary" role="alert" tabindex="-1" id="error-summary">
    <h2>${t('badges:confirm.problemsTitle')}</h2>
    <ul>${data.problems.map((problem) => html`<li>${problem}</li>`)}</ul>
    <p><a href="${badgeBase}">${t('badges:confirm.fix')}</a></p>
  </div>`
      : ''
  }
  <img src="${data.badge.imageUrl}" alt="${data.badge.imageAlt}" width="120" height="120">
  <p>${t(`badges:confirm.${data.change}Intro`)}</p>
  <form method="post" action="${badgeBase}/${data.change}" class="button-row">
    ${csrfField(context.csrfToken)}
    <input type="hidden" name="version" value="${data.badge.rowVersion}">
    <button class="button" type="submit">${t(`badges:confirm.${data.change}Button`)}</button>
    <a href="${badgeBase}">${t('badges:confirm.cancel')}</a>
  </form>
</div>`,
  });
}
