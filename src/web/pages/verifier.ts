import type { VerifierCheck, VerifierResult } from '../../server/modules/verifier/verifier.service.ts';
import { csrfField, errorSummary } from '../forms.ts';
import { html, type SafeHtml } from '../html.ts';
import type { Translate } from '../i18n.ts';
import { layout, type PageContext } from '../layout.ts';
import { textareaField } from './form-controls.ts';

/**
 * The public verifier at /verify: three ways in (paste, upload, web address), and the result as a verdict, a summary
 * of the badge and every check as a list item that says "passed" or "failed" in words as well as with an icon.
 */

export type VerifierField = 'credential' | 'file' | 'url';

export interface VerifierPageData {
  values: { credential: string; url: string };
  errors: Partial<Record<VerifierField, string>>;
  result?: VerifierResult;
}

// ── Check messages in the reader's language ───────────────────────────────────────────────────────────────────────

interface MessagePattern {
  id: string;
  pattern: RegExp;
  key: string;
  values?: (match: RegExpExecArray) => Record<string, string>;
}

/**
 * The engine's checks carry English sentences; the common ones are recognised here and said in the page's language.
 * Anything not recognised is shown as the engine wrote it (marked as English).
 */
const messagePatterns: MessagePattern[] = [
  { id: 'parse', pattern: /^The text is not valid JSON/, key: 'parse.invalidJson' },
  {
    id: 'parse',
    pattern: /^The JSON is nested more than (\d+) levels deep\.$/,
    key: 'parse.tooDeep',
    values: (m) => ({ levels: m[1] ?? '' }),
  },
  { id: 'parse', pattern: /^The text is neither JSON nor a JWT\.$/, key: 'parse.notJsonOrJwt' },
  { id: 'format', pattern: /^The JSON is neither a Verifiable Credential/, key: 'format.notCredential' },
  { id: 'format', pattern: /^The credential is not a JSON object\.$/, key: 'format.notObject' },
  { id: 'format', pattern: /^The text is not a JSON Web Token\.$/, key: 'format.notJwt' },
  { id: 'format', pattern: /^The JWT has no vc claim\.$/, key: 'format.noVcClaim' },
  {
    id: 'format',
    pattern: /^The credential could not be read \((.*)\)\.$/,
    key: 'format.unreadable',
    values: (m) => ({ detail: m[1] ?? '' }),
  },
  { id: 'context', pattern: /^The credential uses known JSON-LD contexts\.$/, key: 'context.known' },
  {
    id: 'context',
    pattern: /^Unknown JSON-LD context\(s\): (.*)\. Contexts are never fetched\.$/,
    key: 'context.unknown',
    values: (m) => ({ contexts: m[1] ?? '' }),
  },
  { id: 'context', pattern: /^The first @context is not the W3C/, key: 'context.notW3c' },
  { id: 'context', pattern: /^The assertion uses the Open Badges 2\.0 context\.$/, key: 'context.ob2' },
  { id: 'context', pattern: /^The assertion does not use the Open Badges 2\.0 context\.$/, key: 'context.notOb2' },
  {
    id: 'open-badges',
    pattern: /^The credential has the fields and types Open Badges 3\.0 requires\.$/,
    key: 'openBadges.complete',
  },
  { id: 'open-badges', pattern: /^This is a W3C Verifiable Credential, not an Open Badge/, key: 'openBadges.plainVc' },
  { id: 'open-badges', pattern: /^The document is an Open Badges 2\.0 Assertion\.$/, key: 'openBadges.ob2' },
  { id: 'open-badges', pattern: /^The document is not of type Assertion\.$/, key: 'openBadges.notAssertion' },
  {
    id: 'schema',
    pattern: /^The schema (\S+) was not checked/,
    key: 'schema.unchecked',
    values: (m) => ({ schema: m[1] ?? '' }),
  },
  {
    id: 'signature',
    pattern: /^The (?:.+ )?signature by (\S+) is valid\.$/,
    key: 'signature.valid',
    values: (m) => ({ key: m[1] ?? '' }),
  },
  { id: 'signature', pattern: /^The credential is not signed/, key: 'signature.missing' },
  {
    id: 'signature',
    pattern: /^No proof uses a supported signature suite .*; found (.*)\.$/,
    key: 'signature.unsupported',
    values: (m) => ({ found: m[1] ?? '' }),
  },
  { id: 'signature', pattern: /signature does not match/, key: 'signature.mismatch' },
  {
    id: 'signature',
    pattern: /^The signing key belongs to (\S+), but the credential says it was issued by (\S+)\.$/,
    key: 'signature.wrongIssuer',
    values: (m) => ({ owner: m[1] ?? '', issuer: m[2] ?? '' }),
  },
  {
    id: 'signature',
    pattern: /^The signing key could not be found: (.*)$/,
    key: 'signature.keyNotFound',
    values: (m) => ({ detail: m[1] ?? '' }),
  },
  {
    id: 'signature-other',
    pattern: /^(\d+) other proof/,
    key: 'signature.otherProofs',
    values: (m) => ({ count: m[1] ?? '' }),
  },
  {
    id: 'validity',
    pattern: /^The (?:credential|badge) is valid until (.+)\.$/,
    key: 'validity.until',
    values: (m) => ({ date: m[1] ?? '' }),
  },
  {
    id: 'validity',
    pattern: /^The (?:credential has no expiry date|badge does not expire)\.$/,
    key: 'validity.noExpiry',
  },
  {
    id: 'validity',
    pattern: /^The (?:credential|badge) expired on (.+)\.$/,
    key: 'validity.expired',
    values: (m) => ({ date: m[1] ?? '' }),
  },
  {
    id: 'validity',
    pattern: /^The credential is not valid yet: it becomes valid on (.+)\.$/,
    key: 'validity.notYet',
    values: (m) => ({ date: m[1] ?? '' }),
  },
  {
    id: 'validity',
    pattern: /^The assertion is dated in the future \((.+)\)\.$/,
    key: 'validity.notYet',
    values: (m) => ({ date: m[1] ?? '' }),
  },
  {
    id: 'status',
    pattern: /^The issuer has revoked this (?:credential|badge)\. Reason: (.*)$/,
    key: 'status.revokedReason',
    values: (m) => ({ reason: m[1] ?? '' }),
  },
  { id: 'status', pattern: /^The issuer has revoked this (?:credential|badge)\.$/, key: 'status.revoked' },
  { id: 'status', pattern: /^The (?:credential|badge) has not been revoked\.$/, key: 'status.notRevoked' },
  { id: 'status', pattern: /^The issuer has suspended this credential\.$/, key: 'status.suspended' },
  { id: 'status', pattern: /^The credential is not suspended\.$/, key: 'status.notSuspended' },
  {
    id: 'status',
    pattern: /^The status method (\S+) is not supported/,
    key: 'status.unsupported',
    values: (m) => ({ method: m[1] ?? '' }),
  },
  { id: 'status', pattern: /could not be checked/, key: 'status.unavailable' },
  {
    id: 'hosted',
    pattern: /^The issuer hosts this assertion at (\S+)\.$/,
    key: 'hosted.ok',
    values: (m) => ({ url: m[1] ?? '' }),
  },
  { id: 'hosted', pattern: /^The assertion differs from the copy its issuer hosts\.$/, key: 'hosted.differs' },
  { id: 'hosted', pattern: /^The assertion is not hosted/, key: 'hosted.notAllowed' },
  {
    id: 'badge',
    pattern: /^Badge "(.*)" by (.*)\.$/,
    key: 'badge.found',
    values: (m) => ({ badge: m[1] ?? '', issuer: m[2] ?? '' }),
  },
];

const checkTitles = new Set([
  'parse',
  'format',
  'context',
  'open-badges',
  'schema',
  'signature',
  'signature-other',
  'validity',
  'status',
  'issuer',
  'jwt-claims',
  'recipient',
  'badge',
  'hosted',
]);

/** A check's message in the page's language, or the engine's English sentence (with its language marked). */
export function checkMessage(t: Translate, language: string, check: VerifierCheck): SafeHtml {
  for (const entry of messagePatterns) {
    if (entry.id !== check.id) continue;
    const match = entry.pattern.exec(check.message);
    if (!match) continue;
    const values = entry.values?.(match) ?? {};
    if (values.date) values.date = formatDateTime(language, values.date);
    return html`${t(`verifier:messages.${entry.key}`, { ...values, defaultValue: check.message })}`;
  }
  return language === 'en' ? html`${check.message}` : html`<span lang="en">${check.message}</span>`;
}

function checkTitle(t: Translate, id: string): string {
  return checkTitles.has(id) ? t(`verifier:checkTitles.${id}`) : id;
}

function formatDate(language: string, value: string | null): string | null {
  if (!value) return null;
  const time = Date.parse(value);
  if (Number.isNaN(time)) return value;
  return new Intl.DateTimeFormat(language, { dateStyle: 'long', timeZone: 'UTC' }).format(new Date(time));
}

/** A moment from a check message, in the reader's language; credentials state times in UTC, so the page does too. */
function formatDateTime(language: string, value: string): string {
  const time = Date.parse(value);
  if (Number.isNaN(time)) return value;
  return `${new Intl.DateTimeFormat(language, { dateStyle: 'long', timeStyle: 'short', timeZone: 'UTC' }).format(new Date(time))} UTC`;
}

// ── The page ──────────────────────────────────────────────────────────────────────────────────────────────────────

function recipientText(t: Translate, recipient: NonNullable<VerifierResult['summary']['recipient']>): SafeHtml {
  if (recipient.type === 'did' || recipient.type === 'id')
    return html`${t(`verifier:summary.recipient.${recipient.type}`)} <code class="verifier-id">${recipient.identity}</code>`;
  const type = ['email', 'emailAddress'].includes(recipient.type)
    ? t('verifier:summary.recipient.email')
    : recipient.type;
  return recipient.hashed
    ? html`${t('verifier:summary.recipient.hashed', { type })} <code class="verifier-id">${recipient.identity}</code>`
    : html`${t('verifier:summary.recipient.plain', { type })} <code class="verifier-id">${recipient.identity}</code>`;
}

function resultSection(context: PageContext, result: VerifierResult): SafeHtml {
  const { t, language } = context;
  const { summary } = result;
  const fact = (label: string, value: SafeHtml | string | null) =>
    value === null || value === '' ? '' : html`<dt>${label}</dt><dd>${value}</dd>`;
  const issuer =
    summary.issuerName || summary.issuerId
      ? html`${summary.issuerName ?? ''}${summary.issuerName && summary.issuerId ? ' ' : ''}${
          summary.issuerId ? html`<code class="verifier-id">${summary.issuerId}</code>` : ''
        }`
      : null;
  const passed = result.checks.filter((check) => check.passed).length;
  return html`<section class="section verifier-result" aria-labelledby="verifier-result-heading">
  <h2 id="verifier-result-heading">${t('verifier:result.heading')}</h2>
  <div class="${result.verified ? 'success' : 'error-summary'} verifier-verdict" id="verifier-verdict">
    <p><span class="verifier-icon" aria-hidden="true">${result.verified ? '✔' : '✘'}</span>
    <strong>${result.verified ? t('verifier:result.verified') : t('verifier:result.notVerified')}</strong></p>
    <p>${
      result.verified
        ? t('verifier:result.verifiedExplanation')
        : t('verifier:result.notVerifiedExplanation', { count: result.checks.length - passed })
    }</p>
  </div>
  ${
    result.kind === 'unknown'
      ? ''
      : html`<h3>${t('verifier:summary.heading')}</h3>
  <dl class="facts verifier-summary">
    ${fact(t('verifier:summary.badge'), summary.badgeName)}
    ${fact(t('verifier:summary.issuer'), issuer)}
    ${fact(t('verifier:summary.recipient.label'), summary.recipient ? recipientText(t, summary.recipient) : null)}
    ${fact(t('verifier:summary.issuedOn'), formatDate(language, summary.issuedOn))}
    ${fact(t('verifier:summary.expires'), formatDate(language, summary.expires) ?? t('verifier:summary.neverExpires'))}
    ${fact(t('verifier:summary.status.label'), t(`verifier:summary.status.${summary.status}`))}
    ${fact(t('verifier:summary.kind.label'), t(`verifier:summary.kind.${result.kind}`))}
  </dl>`
  }
  <h3>${t('verifier:checks.heading', { passed, total: result.checks.length })}</h3>
  <ul class="verifier-checks">
    ${result.checks.map(
      (check) => html`<li class="verifier-check ${check.passed ? 'verifier-check-passed' : 'verifier-check-failed'}">
      <span class="verifier-icon" aria-hidden="true">${check.passed ? '✔' : '✘'}</span>
      <strong>${check.passed ? t('verifier:checks.passed') : t('verifier:checks.failed')}:</strong>
      ${checkTitle(t, check.id)} — ${checkMessage(t, language, check)}
    </li>`,
    )}
  </ul>
  <p><a href="/verify">${t('verifier:result.again')}</a></p>
</section>`;
}

function fileField(t: Translate, error: string | undefined): SafeHtml {
  const id = 'field-file';
  const describedBy = [`${id}-hint`, error ? `${id}-error` : ''].filter(Boolean).join(' ');
  return html`<div class="field">
  <label for="${id}">${t('verifier:upload.label')}</label>
  <p class="hint" id="${id}-hint">${t('verifier:upload.hint')}</p>
  ${error ? html`<p class="field-error" id="${id}-error">${error}</p>` : ''}
  <input id="${id}" name="file" type="file" accept=".png,.svg,.json,.jwt,.txt,image/png,image/svg+xml,application/json" aria-describedby="${describedBy}"${
    error ? html` aria-invalid="true"` : ''
  }>
</div>`;
}

function urlField(t: Translate, value: string, error: string | undefined): SafeHtml {
  const id = 'field-url';
  const describedBy = [`${id}-hint`, error ? `${id}-error` : ''].filter(Boolean).join(' ');
  return html`<div class="field">
  <label for="${id}">${t('verifier:url.label')}</label>
  <p class="hint" id="${id}-hint">${t('verifier:url.hint')}</p>
  ${error ? html`<p class="field-error" id="${id}-error">${error}</p>` : ''}
  <input id="${id}" name="url" type="url" inputmode="url" autocomplete="url" value="${value}" aria-describedby="${describedBy}"${
    error ? html` aria-invalid="true"` : ''
  }>
</div>`;
}

export function verifierPage(context: PageContext, data: VerifierPageData): SafeHtml {
  const { t } = context;
  const labels = {
    credential: t('verifier:paste.label'),
    file: t('verifier:upload.label'),
    url: t('verifier:url.label'),
  };
  const title = data.result
    ? `${data.result.verified ? t('verifier:result.verified') : t('verifier:result.notVerified')} · ${t('verifier:title')}`
    : t('verifier:title');
  return layout(context, {
    title,
    description: t('verifier:intro'),
    // A result is about someone's badge: not for search engines.
    head: data.result ? html`<meta name="robots" content="noindex">` : undefined,
    body: html`<div class="container section verifier">
  <h1>${t('verifier:title')}</h1>
  <p>${t('verifier:intro')}</p>
  <p>${t('verifier:privacy')}</p>
  ${errorSummary(t, data.errors, labels)}
  ${data.result ? resultSection(context, data.result) : ''}
  <section class="section" aria-labelledby="verifier-paste-heading">
    <h2 id="verifier-paste-heading">${t('verifier:paste.heading')}</h2>
    <form class="form" method="post" action="/verify" novalidate>
      ${csrfField(context.csrfToken)}
      ${textareaField({
        name: 'credential',
        label: labels.credential,
        hint: t('verifier:paste.hint'),
        value: data.values.credential,
        error: data.errors.credential,
        rows: 8,
      })}
      <div><button class="button" type="submit">${t('verifier:paste.submit')}</button></div>
    </form>
  </section>
  <section class="section" aria-labelledby="verifier-upload-heading">
    <h2 id="verifier-upload-heading">${t('verifier:upload.heading')}</h2>
    <form class="form" method="post" action="/verify" enctype="multipart/form-data" novalidate>
      ${csrfField(context.csrfToken)}
      ${fileField(t, data.errors.file)}
      <div><button class="button" type="submit">${t('verifier:upload.submit')}</button></div>
    </form>
  </section>
  <section class="section" aria-labelledby="verifier-url-heading">
    <h2 id="verifier-url-heading">${t('verifier:url.heading')}</h2>
    <form class="form" method="get" action="/verify" novalidate>
      ${urlField(t, data.values.url, data.errors.url)}
      <div><button class="button" type="submit">${t('verifier:url.submit')}</button></div>
    </form>
  </section>
  <p>${t('verifier:api', { path: '/api/v1/verify' })} <a href="/api/docs">${t('verifier:apiLink')}</a></p>
</div>`,
  });
}
