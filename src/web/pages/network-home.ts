import { html, type SafeHtml } from '../html.ts';
import { layout, type PageContext } from '../layout.ts';

export interface NetworkCityCard {
  name: string;
  homePath: string;
  status: 'active' | 'archived';
  languageNames: string[];
  timeZone: string;
}

/** The network landing page: every city of this deployment. */
export function networkHomePage(context: PageContext, cities: NetworkCityCard[]): SafeHtml {
  const { t } = context;
  return layout(context, {
    title: t('network.title'),
    description: t('network.intro'),
    body: html`
<section class="hero">
  <div class="container">
    <h1>${t('network.title')}</h1>
    <p>${t('network.intro')}</p>
  </div>
</section>
<div class="container">
  <section class="section" aria-labelledby="cities-heading">
    <h2 id="cities-heading">${t('network.citiesHeading')}</h2>
    ${
      cities.length === 0
        ? html`<p>${t('network.noCities')}</p>`
        : html`<ul class="card-list">
      ${cities.map(
        (city) => html`<li class="card">
        <h3><a href="${city.homePath}">${city.name}</a></h3>
        ${city.status === 'archived' ? html`<p><span class="badge-label">${t('network.archived')}</span></p>` : ''}
        <p>${t('network.cityLanguages', { languages: city.languageNames.join(', ') })}</p>
        <p>${t('network.cityTimeZone', { timeZone: city.timeZone })}</p>
      </li>`,
      )}
    </ul>`
    }
  </section>
</div>`,
  });
}
