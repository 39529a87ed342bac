import { html, type SafeHtml } from './html.ts';
import type { Translate } from './i18n.ts';

/** Field errors keyed by field name (`email`), as produced from AppError details (`/email`). */
export type FieldErrors = Record<string, string>;

export function fieldErrorsFrom(details: { field?: string; problem: string }[]): FieldErrors {
  const errors: FieldErrors = {};
  for (const detail of details) {
    const name = (detail.field ?? '').replace(/^\//, '').split('/')[0] || '_form';
    errors[name] ??= detail.problem;
  }
  return errors;
}

export function csrfField(token: string): SafeHtml {
  return html`<input type="hidden" name="_csrf" value="${token}">`;
}

export interface FieldOptions {
  name: string;
  label: string;
  type?: string;
  value?: string;
  hint?: string;
  error?: string;
  autocomplete?: string;
  required?: boolean;
  inputmode?: string;
}

/** A labelled input whose hint and error are tied to it for screen readers. */
export function inputField(options: FieldOptions): SafeHtml {
  const id = `field-${options.name}`;
  const describedBy = [options.hint ? `${id}-hint` : '', options.error ? `${id}-error` : ''].filter(Boolean).join(' ');
  return html`<div class="field">
  <label for="${id}">${options.label}</label>
  ${options.hint ? html`<p class="hint" id="${id}-hint">${options.hint}</p>` : ''}
  ${options.error ? html`<p class="field-error" id="${id}-error">${options.error}</p>` : ''}
  <input id="${id}" name="${options.name}" type="${options.type ?? 'text'}"${
    options.value !== undefined && options.type !== 'password' ? html` value="${options.value}"` : ''
  }${options.autocomplete ? html` autocomplete="${options.autocomplete}"` : ''}${options.required ? html` required` : ''}${
    options.inputmode ? html` inputmode="${options.inputmode}"` : ''
  }${describedBy ? html` aria-describedby="${describedBy}"` : ''}${options.error ? html` aria-invalid="true"` : ''}>
</div>`;
}

/** The list of problems at the top of a form, linking to each field; focused so screen readers announce it. */
export function errorSummary(t: Translate, errors: FieldErrors, labels: Record<string, string>): SafeHtml | '' {
  const entries = Object.entries(errors);
  if (entries.length === 0) return '';
  return html`<div class="error-summary" role="alert" tabindex="-1" id="error-summary">
  <h2>${t('forms.errorSummaryTitle')}</h2>
  <ul>${entries.map(([name, problem]) =>
    labels[name] ? html`<li><a href="#field-${name}">${labels[name]}: ${problem}</a></li>` : html`<li>${problem}</li>`,
  )}</ul>
</div>`;
}
