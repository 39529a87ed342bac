import { html, type SafeHtml } from '../html.ts';

/** Form controls beyond `inputField` (src/web/forms.ts): textarea, select and checkbox groups, errors beside them. */

function describedBy(id: string, hint?: string, error?: string): string {
  return [hint ? `${id}-hint` : '', error ? `${id}-error` : ''].filter(Boolean).join(' ');
}

export function textareaField(options: {
  name: string;
  label: string;
  value?: string;
  hint?: string;
  error?: string;
  required?: boolean;
  id?: string;
  rows?: number;
}): SafeHtml {
  const id = options.id ?? `field-${options.name}`;
  const by = describedBy(id, options.hint, options.error);
  return html`<div class="field">
  <label for="${id}">${options.label}</label>
  ${options.hint ? html`<p class="hint" id="${id}-hint">${options.hint}</p>` : ''}
  ${options.error ? html`<p class="field-error" id="${id}-error">${options.error}</p>` : ''}
  <textarea id="${id}" name="${options.name}" rows="${options.rows ?? 4}"${options.required ? html` required` : ''}${
    by ? html` aria-describedby="${by}"` : ''
  }${options.error ? html` aria-invalid="true"` : ''}>${options.value ?? ''}</textarea>
</div>`;
}

export function selectField(options: {
  name: string;
  label: string;
  value?: string;
  choices: { value: string; label: string }[];
  error?: string;
  id?: string;
}): SafeHtml {
  const id = options.id ?? `field-${options.name}`;
  return html`<div class="field">
  <label for="${id}">${options.label}</label>
  ${options.error ? html`<p class="field-error" id="${id}-error">${options.error}</p>` : ''}
  <select id="${id}" name="${options.name}"${options.error ? html` aria-invalid="true" aria-describedby="${id}-error"` : ''}>
    ${options.choices.map(
      (choice) =>
        html`<option value="${choice.value}"${choice.value === options.value ? html` selected` : ''}>${choice.label}</option>`,
    )}
  </select>
</div>`;
}

/** A fieldset of checkboxes sharing one name; `id` of the fieldset is `field-<name>` so error summaries link to it. */
export function checkboxGroup(options: {
  name: string;
  legend: string;
  choices: { value: string; label: string; hint?: string }[];
  checked: string[];
  hint?: string;
  error?: string;
}): SafeHtml {
  const id = `field-${options.name}`;
  return html`<fieldset class="field checkboxes" id="${id}" tabindex="-1"${
    options.error ? html` aria-describedby="${id}-error"` : ''
  }>
  <legend>${options.legend}</legend>
  ${options.hint ? html`<p class="hint">${options.hint}</p>` : ''}
  ${options.error ? html`<p class="field-error" id="${id}-error">${options.error}</p>` : ''}
  ${options.choices.map(
    (choice) => html`<div class="checkbox">
    <input type="checkbox" id="${id}-${choice.value}" name="${options.name}" value="${choice.value}"${
      options.checked.includes(choice.value) ? html` checked` : ''
    }>
    <label for="${id}-${choice.value}">${choice.label}${choice.hint ? html` <span class="hint">${choice.hint}</span>` : ''}</label>
  </div>`,
  )}
</fieldset>`;
}

/** Previous / next links for a paged list. */
export function pagination(options: {
  basePath: string;
  page: number;
  pageSize: number;
  total: number;
  labels: { previous: string; next: string; summary: string; navigation: string };
}): SafeHtml {
  const last = Math.max(1, Math.ceil(options.total / options.pageSize));
  const link = (page: number) => `${options.basePath}?page=${page}`;
  return html`<nav class="pagination" aria-label="${options.labels.navigation}">
  <p>${options.labels.summary}</p>
  <ul>
    ${options.page > 1 ? html`<li><a href="${link(options.page - 1)}" rel="prev">${options.labels.previous}</a></li>` : ''}
    ${options.page < last ? html`<li><a href="${link(options.page + 1)}" rel="next">${options.labels.next}</a></li>` : ''}
  </ul>
</nav>`;
}
