import { html, type SafeHtml } from '../html.ts';
import { layout, type PageContext } from '../layout.ts';

export interface CityHomeData {
  name: string;
  status: 'active' | 'archived';
  languageNames: string[];
  timeZone: string;
  bounds: { west: number; south: number; east: number; north: number };
}

/** The public home page of one city. */
export function cityHomePage(context: PageContext, city: CityHomeData): SafeHtml {
  const { t } = context;
  const round = (value: number) => value.toFixed(2);
  return layout(context, {
    title: t('city.welcome', { city: city.name }),
    description: t('city.intro', { city: city.name }),
    body: html`
<section class="hero">
  <div class="container">
    <h1>${t('city.welcome', { city: city.name })}</h1>
    <p>${t('city.intro', { city: city.name })}</p>
    ${city.status === 'archived' ? html`<p class="notice" role="status">${t('city.archivedNotice')}</p>` : ''}
  </div>
</section>
<div class="container">
  <section class="section" aria-labelledby="whats-here">
    <h2 id="whats-here">${t('city.whatsHereHeading')}</h2>
    <ul class="card-list">
      <li class="card"><p>${t('city.whatsHere.map')}</p></li>
      <li class="card"><p>${t('city.whatsHere.pathways')}</p></li>
      <li class="card"><p>${t('city.whatsHere.badges')}</p></li>
    </ul>
  </section>
  <section class="section" aria-labelledby="about-city">
    <h2 id="about-city">${t('city.aboutHeading')}</h2>
    <dl class="facts">
      <dt>${t('city.languages')}</dt><dd>${city.languageNames.join(', ')}</dd>
      <dt>${t('city.timeZone')}</dt><dd>${city.timeZone}</dd>
      <dt>${t('city.mapArea')}</dt><dd>${t('city.mapAreaValue', {
        south: round(city.bounds.south),
        north: round(city.bounds.north),
        west: round(city.bounds.west),
        east: round(city.bounds.east),
      })}</dd>
    </dl>
  </section>
</div>`,
  });
}
