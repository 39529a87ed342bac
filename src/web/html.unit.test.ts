import { describe, expect, it } from 'vitest';
import { html, jsonForScript, raw } from './html.ts';

describe('html templates', () => {
  it('escapes interpolated values, including attribute quotes', () => {
    const name = `"><img src=x onerror=alert(1)>`;
    expect(html`<a title="${name}">${name}</a>`.value).toBe(
      '<a title="&quot;&gt;&lt;img src=x onerror=alert(1)&gt;">&quot;&gt;&lt;img src=x onerror=alert(1)&gt;</a>',
    );
  });

  it('nests safe fragments and arrays without double escaping', () => {
    const items = ['a&b', 'c'].map((item) => html`<li>${item}</li>`);
    expect(html`<ul>${items}</ul>`.value).toBe('<ul><li>a&amp;b</li><li>c</li></ul>');
    expect(html`${raw('<b>trusted</b>')}${null}${undefined}${false}${0}`.value).toBe('<b>trusted</b>0');
  });

  it('makes JSON safe inside a script element', () => {
    expect(jsonForScript({ text: '</script><script>alert(1)</script>' }).value).not.toContain('</script>');
  });
});
