import { describe, expect, it } from 'vitest';
import { renderEmail } from './email.ts';

describe('emails', () => {
  it('have a text and an escaped HTML part with the action link in both', () => {
    const mail = renderEmail('en', {
      subject: 'Confirm <your> address',
      greeting: 'Hello Ada & co,',
      paragraphs: ['Please confirm.'],
      action: { label: 'Confirm', url: 'https://learn.example.org/verify?token=a&b=c' },
      footer: 'Ignore this if it was not you.',
    });
    expect(mail.text).toContain('Confirm: https://learn.example.org/verify?token=a&b=c');
    expect(mail.html).toContain('href="https://learn.example.org/verify?token=a&amp;b=c"');
    expect(mail.html).toContain('Hello Ada &amp; co,');
    expect(mail.html).toContain('<title>Confirm &lt;your&gt; address</title>');
    expect(mail.language).toBe('en');
  });
});
