import { escapeHtml } from '../html.ts';

/** The parts every Learnscape email is made of; each module fills them from its own translations. */
export interface EmailContent {
  subject: string;
  greeting: string;
  paragraphs: string[];
  action?: { label: string; url: string };
  /** Shown small at the end, e.g. "If you did not ask for this, ignore this email." */
  footer?: string;
}

export interface RenderedEmail {
  subject: string;
  text: string;
  html: string;
  language: string;
}

/** Renders an email with a plain-text part and a simple, accessible HTML part. */
export function renderEmail(language: string, content: EmailContent): RenderedEmail {
  const text = [
    content.greeting,
    '',
    ...content.paragraphs.flatMap((p) => [p, '']),
    ...(content.action ? [`${content.action.label}: ${content.action.url}`, ''] : []),
    ...(content.footer ? ['—', content.footer] : []),
  ].join('\n');
  const html = `<!doctype html><html lang="${escapeHtml(language)}"><head><meta charset="utf-8"><title>${escapeHtml(content.subject)}</title></head>
<body style="font-family: system-ui, sans-serif; line-height: 1.5; color: #1b1f24; max-width: 36rem; margin: 0 auto; padding: 1rem;">
<p>${escapeHtml(content.greeting)}</p>
${content.paragraphs.map((p) => `<p>${escapeHtml(p)}</p>`).join('\n')}
${
  content.action
    ? `<p><a href="${escapeHtml(content.action.url)}" style="display: inline-block; background: #0b5cad; color: #ffffff; padding: 0.6rem 1.2rem; border-radius: 0.4rem; text-decoration: none; font-weight: 600;">${escapeHtml(content.action.label)}</a></p>
<p style="font-size: 0.9rem; color: #4a5360;">${escapeHtml(content.action.url)}</p>`
    : ''
}
${content.footer ? `<hr><p style="font-size: 0.9rem; color: #4a5360;">${escapeHtml(content.footer)}</p>` : ''}
</body></html>`;
  return { subject: content.subject, text, html, language };
}
