import type { AssetBundle } from './assets.ts';
import { html, type SafeHtml } from './html.ts';
import { languageName, type Language, type Translate } from './i18n.ts';

/** The city a page belongs to, as pages need it. */
export interface CityView {
  slug: string;
  name: string;
  homePath: string;
  status: 'active' | 'archived';
  /** The city's branding, when its curators set it: a colour that carries white text (checked for contrast), a logo. */
  brand?: { colour: string | null; logoUrl: string | null };
}

/** What every page render gets from the request. */
export interface PageContext {
  t: Translate;
  language: Language;
  /** Languages offered in the switcher: the city's, or every supported one on network pages. */
  languages: readonly Language[];
  /** Path and query of the current request, for language links. */
  currentUrl: string;
  assets: AssetBundle;
  city?: CityView;
  requestId: string;
  /** The signed-in person, if any. */
  account: { displayName: string; limited?: boolean } | null;
  /** The CSRF token every form on the page must carry. */
  csrfToken: string;
}

export interface PageOptions {
  title: string;
  description?: string;
  /** Extra elements for the document head: Open Graph tags, JSON-LD, a page's own stylesheet or script. */
  head?: SafeHtml;
  body: SafeHtml;
}

function withLanguage(currentUrl: string, language: Language): string {
  const url = new URL(currentUrl, 'http://localhost');
  url.searchParams.set('lang', language);
  return `${url.pathname}${url.search}`;
}

/** The full HTML document: skip link, header with city name and language switcher, main, footer. */
export function layout(context: PageContext, page: PageOptions): SafeHtml {
  const { t, city } = context;
  const siteName = t('site.name');
  const fullTitle = city ? `${page.title} · ${city.name} · ${siteName}` : `${page.title} · ${siteName}`;
  return html`<!doctype html>
<html lang="${context.language}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${fullTitle}</title>
${page.description ? html`<meta name="description" content="${page.description}">` : ''}
<link rel="stylesheet" href="${context.assets.url('main.css')}">
<script type="module" src="${context.assets.url('enhance.js')}"></script>
${page.head ?? ''}
</head>
<body>
<a class="skip-link" href="#main">${t('layout.skipToContent')}</a>
<header class="site-header"${city?.brand?.colour ? html` style="background-color: ${city.brand.colour}"` : ''}>
  <div class="container">
    <a class="brand" href="${city ? city.homePath : '/'}">
      <span class="brand-site">${siteName} · ${t('site.tagline')}</span>
      ${city ? html`<span class="brand-city">${city.brand?.logoUrl ? html`<img class="brand-logo" src="${city.brand.logoUrl}" alt="" height="32">` : ''}${city.name}</span>` : html`<span class="brand-city">${siteName}</span>`}
    </a>
    <nav class="site-nav" aria-label="${t('layout.mainNavigation')}">
      <ul>
        <li><a href="/">${t('layout.networkHome')}</a></li>
        ${
          city
            ? html`<li><a href="${city.homePath}/activities">${t('catalogue:nav.activities')}</a></li>
        <li><a href="${city.homePath}/organisations">${t('organisations:nav.organisations')}</a></li>
        <li><a href="${city.homePath}/skills">${t('skills:nav.skills')}</a></li>`
            : ''
        }
        <li><a href="/api/docs">${t('layout.apiDocs')}</a></li>
      </ul>
    </nav>
    <div class="account-area">
      ${
        context.account
          ? html`<a href="/account">${t('layout.signedInAs', { name: context.account.displayName })}</a>
      ${city ? html`<a href="${city.homePath}/my/activities">${t('signups:nav.myActivities')}</a>` : ''}
      ${city ? html`<a href="${city.homePath}/my/badges">${t('credentials:nav.myBadges')}</a>` : ''}
      <form method="post" action="/logout" class="inline-form">
        <input type="hidden" name="_csrf" value="${context.csrfToken}">
        <button type="submit" class="link-button">${t('layout.signOut')}</button>
      </form>`
          : html`<a href="/login?next=${encodeURIComponent(context.currentUrl)}">${t('layout.signIn')}</a>`
      }
    </div>
    ${
      context.languages.length > 1
        ? html`<nav class="language-switcher" aria-label="${t('layout.languageSwitcher')}">
      <span aria-hidden="true">${t('layout.languageSwitcher')}:</span>
      <ul>
        ${context.languages.map(
          (language) =>
            html`<li><a href="${withLanguage(context.currentUrl, language)}" hreflang="${language}" lang="${language}"${
              language === context.language ? html` aria-current="true"` : ''
            }>${languageName(language)}</a></li>`,
        )}
      </ul>
    </nav>`
        : ''
    }
  </div>
</header>
<main id="main" tabindex="-1">
${
  context.account?.limited
    ? html`<div class="container"><p class="notice notice-limited" role="status">${t('accounts:limited.layoutBanner')} <a href="/account">${t('accounts:limited.layoutLink')}</a></p></div>`
    : ''
}
${page.body}
</main>
<footer class="site-footer">
  <div class="container">
    <p>${t('layout.footerAbout')}</p>
    <p>${t('layout.footerOpenSource')}</p>
    <p><a href="/verify">${t('verifier:nav.verify')}</a></p>
  </div>
</footer>
</body>
</html>`;
}
