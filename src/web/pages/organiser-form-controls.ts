import { html, type SafeHtml } from '../html.ts';
import type { PageContext } from '../layout.ts';
import { type PickerSkill, skillPicker } from './skills-picker.ts';

/**
 * Controls that the organisers' activity and badge forms share, beside those of `form-controls.ts`: radio groups,
 * number fields, the skills fieldset and the image file field. Hints and errors are tied to their control.
 */

function describedBy(id: string, hint?: string, error?: string): string {
  return [hint ? `${id}-hint` : '', error ? `${id}-error` : ''].filter(Boolean).join(' ');
}

/** A fieldset of radio buttons sharing one name; the fieldset is `field-<name>` so error summaries link to it. */
export function radioGroup(options: {
  name: string;
  legend: string;
  value: string;
  choices: { value: string; label: SafeHtml | string; hint?: string }[];
  hint?: string;
  error?: string;
  className?: string;
}): SafeHtml {
  const id = `field-${options.name}`;
  const by = describedBy(id, options.hint, options.error);
  return html`<fieldset class="field checkboxes${options.className ? ` ${options.className}` : ''}" id="${id}" tabindex="-1"${
    by ? html` aria-describedby="${by}"` : ''
  }>
  <legend>${options.legend}</legend>
  ${options.hint ? html`<p class="hint" id="${id}-hint">${options.hint}</p>` : ''}
  ${options.error ? html`<p class="field-error" id="${id}-error">${options.error}</p>` : ''}
  ${options.choices.map(
    (choice) => html`<div class="checkbox">
    <input type="radio" id="${id}-${choice.value}" name="${options.name}" value="${choice.value}"${
      options.value === choice.value ? html` checked` : ''
    }>
    <label for="${id}-${choice.value}">${choice.label}${choice.hint ? html` <span class="hint">${choice.hint}</span>` : ''}</label>
  </div>`,
  )}
</fieldset>`;
}

/** A short number input; a `step` other than 1 asks for decimals. */
export function numberField(options: {
  name: string;
  label: string;
  value: string;
  error?: string;
  hint?: string;
  min?: number;
  max?: number;
  step?: string;
}): SafeHtml {
  const id = `field-${options.name}`;
  const by = describedBy(id, options.hint, options.error);
  return html`<div class="field field-short">
  <label for="${id}">${options.label}</label>
  ${options.hint ? html`<p class="hint" id="${id}-hint">${options.hint}</p>` : ''}
  ${options.error ? html`<p class="field-error" id="${id}-error">${options.error}</p>` : ''}
  <input id="${id}" name="${options.name}" type="number" value="${options.value}"${
    options.min !== undefined ? html` min="${options.min}"` : ''
  }${options.max !== undefined ? html` max="${options.max}"` : ''} step="${options.step ?? '1'}" inputmode="${
    options.step && options.step !== '1' ? 'decimal' : 'numeric'
  }"${by ? html` aria-describedby="${by}"` : ''}${options.error ? html` aria-invalid="true"` : ''}>
</div>`;
}

/** The skills of a form (`skills`, levels in `skillsLevel[<id>]`): the picker, and a search button for no-script use. */
export function skillsFieldset(
  context: PageContext,
  options: {
    legend: string;
    hint: string;
    /** The picker's id, unique on the page. */
    pickerId: string;
    query: string;
    skills: { selected: (PickerSkill & { level?: string | null })[]; results: PickerSkill[] };
    error?: string;
  },
): SafeHtml {
  return html`<fieldset class="field" id="field-skills" tabindex="-1"${options.error ? html` aria-describedby="field-skills-error"` : ''}>
        <legend>${options.legend}</legend>
        <p class="hint">${options.hint}</p>
        ${options.error ? html`<p class="field-error" id="field-skills-error">${options.error}</p>` : ''}
        ${skillPicker(context, {
          mode: 'select',
          citySlug: context.city?.slug ?? '',
          id: options.pickerId,
          name: 'skills',
          query: options.query,
          results: options.skills.results,
          selected: options.skills.selected,
        })}
        <div><button class="button button-secondary" type="submit" name="intent" value="searchSkills" formnovalidate>${context.t(
          'skills:picker.submit',
        )}</button></div>
      </fieldset>`;
}

/** The file input of an image upload form (`image`), with its hint and error. */
export function imageFileField(options: { label: string; hint: string; accept: string; error?: string }): SafeHtml {
  return html`<div class="field">
      <label for="field-image">${options.label}</label>
      <p class="hint" id="field-image-hint">${options.hint}</p>
      ${options.error ? html`<p class="field-error" id="field-image-error">${options.error}</p>` : ''}
      <input id="field-image" name="image" type="file" accept="${options.accept}" aria-describedby="field-image-hint${
        options.error ? ' field-image-error' : ''
      }"${options.error ? html` aria-invalid="true"` : ''}>
    </div>`;
}
