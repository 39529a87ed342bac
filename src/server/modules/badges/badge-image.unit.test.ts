import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { solidPng } from '../../../../test/helpers/images.ts';
import type { AppError } from '../../errors.ts';
import { badgeIcons, badgeShapes } from './badge-classes.model.ts';
import {
  contrastRatio,
  defaultDesign,
  MAX_UPLOAD_BYTES,
  processUploadedImage,
  renderBadgePng,
  renderBadgeSvg,
  sanitizeSvg,
  sniffBadgeImage,
  UnsafeSvgError,
} from './badge-image.ts';

const design = {
  shape: 'hexagon' as const,
  background: '#0b5cad',
  foreground: '#ffffff',
  accent: '#f2b705',
  icon: 'book',
  text: 'Reading club',
};

describe('badge images: contrast', () => {
  it('computes WCAG contrast ratios', () => {
    expect(contrastRatio('#000000', '#ffffff')).toBeCloseTo(21, 5);
    expect(contrastRatio('#ffffff', '#ffffff')).toBeCloseTo(1, 5);
    // The WCAG example values: #767676 on white is just above 4.5:1, #777777 just below.
    expect(contrastRatio('#767676', '#ffffff')).toBeGreaterThanOrEqual(4.5);
    expect(contrastRatio('#777777', '#ffffff')).toBeLessThan(4.5);
    expect(contrastRatio('#0b5cad', '#ffffff')).toBeCloseTo(contrastRatio('#ffffff', '#0b5cad'), 10);
  });
});

describe('badge images: generated designs', () => {
  it('draws an accessible 512×512 SVG with the alt text as its title, the same every time', () => {
    const svg = renderBadgeSvg(design, 'A blue hexagon with an open book & "Reading club"');
    expect(svg).toMatch(/^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg" width="512" height="512"/);
    expect(svg).toContain('role="img"');
    expect(svg).toContain(
      '<title id="badge-title">A blue hexagon with an open book &amp; &quot;Reading club&quot;</title>',
    );
    expect(svg).toContain('>Reading club</text>');
    expect(renderBadgeSvg(design, 'A blue hexagon with an open book & "Reading club"')).toBe(svg);
    // What it draws is itself a safe SVG.
    expect(() => sanitizeSvg(svg)).not.toThrow();
  });

  it('draws every shape and icon, and with no text the icon alone', async () => {
    for (const shape of badgeShapes) {
      for (const icon of badgeIcons) {
        const svg = renderBadgeSvg({ ...design, shape, icon, text: icon === 'star' ? '' : 'Maker' }, 'Alt');
        expect(() => sanitizeSvg(svg), `${shape}/${icon}`).not.toThrow();
      }
    }
    expect(renderBadgeSvg({ ...design, text: '' }, 'Alt')).not.toContain('<text');
    const png = await renderBadgePng(design, 'Alt');
    const metadata = await sharp(png).metadata();
    expect(metadata).toMatchObject({ format: 'png', width: 512, height: 512 });
    expect(Buffer.compare(png, await renderBadgePng(design, 'Alt'))).toBe(0);
  });

  it('makes a default design from a name, with text that fits', () => {
    const made = defaultDesign('Community garden volunteer of the year');
    expect(made.text).toBe('Community garden');
    expect(made.text.length).toBeLessThanOrEqual(24);
    expect(contrastRatio(made.foreground, made.background)).toBeGreaterThanOrEqual(4.5);
  });
});

describe('badge images: SVG sanitising', () => {
  const wrap = (inner: string, attributes = '') =>
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10"${attributes}>${inner}</svg>`;
  const refused = (svg: string) => {
    try {
      sanitizeSvg(svg);
    } catch (error) {
      expect(error).toBeInstanceOf(UnsafeSvgError);
      return (error as Error).message;
    }
    throw new Error('the SVG was accepted');
  };

  it('refuses scripts, event handlers, external references and foreignObject', () => {
    expect(refused(wrap('<script>alert(1)</script>'))).toMatch(/<script>/);
    expect(refused(wrap('<rect width="10" height="10"/>', ' onload="alert(1)"'))).toMatch(/event handler/);
    expect(refused(wrap('<rect width="10" height="10" ONCLICK="x()"/>'))).toMatch(/event handler/);
    expect(refused(wrap('<image href="https://evil.example/x.png" width="10" height="10"/>'))).toMatch(/external/);
    expect(refused(wrap('<use xlink:href="other.svg#a"/>', ' xmlns:xlink="http://www.w3.org/1999/xlink"'))).toMatch(
      /external/,
    );
    expect(refused(wrap('<image href="data:image/svg+xml;base64,PHN2Zy8+" width="1" height="1"/>'))).toMatch(
      /external/,
    );
    expect(refused(wrap('<foreignObject width="10" height="10"><p>hi</p></foreignObject>'))).toMatch(/foreignObject/);
    expect(refused(wrap('<a href="javascript:alert(1)"><rect width="1" height="1"/></a>'))).toMatch(/script/);
    expect(refused(wrap('<rect width="1" height="1" fill="url(https://evil.example/p)"/>'))).toMatch(/external/);
    expect(refused(wrap('<style>@import url(https://evil.example/x.css);</style>'))).toMatch(/imports/);
    expect(refused(wrap('<rect style="fill: url(&quot;http://x/&quot;)" width="1" height="1"/>'))).toMatch(/external/);
  });

  it('refuses documents that are not plain well-formed SVG', () => {
    expect(refused('<!DOCTYPE svg [<!ENTITY x "y">]><svg xmlns="http://www.w3.org/2000/svg"/>')).toMatch(
      /Document type/,
    );
    expect(refused(wrap('<rect width="1" height="1">'))).toMatch(/well-formed/);
    expect(refused(wrap('<text>Tom & Jerry</text>'))).toMatch(/stray/);
    expect(refused(wrap('<text>&nbsp;</text>'))).toMatch(/entity/);
    expect(refused('<html><body/></html>')).toMatch(/not an SVG/);
    expect(refused(`${wrap('')}<svg/>`)).toMatch(/more than one root/);
    expect(refused(wrap('<rect width=1 height="1"/>'))).toMatch(/broken/);
  });

  it('keeps drawing, drops editor metadata and unknown attributes, and escapes text', () => {
    const cleaned = sanitizeSvg(
      `<?xml version="1.0" encoding="UTF-8"?>
<!-- made by hand -->
<svg xmlns="http://www.w3.org/2000/svg" xmlns:inkscape="http://www.inkscape.org/namespaces/inkscape" viewBox="0 0 10 10" inkscape:version="1.3">
  <metadata><rdf>whatever</rdf></metadata>
  <defs><linearGradient id="g"><stop offset="0" stop-color="#fff"/></linearGradient></defs>
  <rect width="10" height="10" fill="url(#g)" data-x="1"/>
  <text x="1" y="5">Tom &amp; Jerry &lt;3</text>
  <image href="data:image/png;base64,iVBORw0KGgo=" width="1" height="1"/>
</svg>`,
    );
    expect(cleaned).toContain('<rect width="10" height="10" fill="url(#g)"/>');
    expect(cleaned).toContain('<linearGradient id="g"><stop offset="0" stop-color="#fff"/></linearGradient>');
    expect(cleaned).toContain('Tom &amp; Jerry &lt;3');
    expect(cleaned).not.toMatch(/metadata|inkscape|data-x|made by hand/);
    expect(cleaned.startsWith('<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10">')).toBe(true);
  });
});

describe('badge images: uploads', () => {
  it('re-encodes a PNG and shrinks it to at most 1024 px', async () => {
    const processed = await processUploadedImage(solidPng(1500, 1200));
    expect(processed.contentType).toBe('image/png');
    expect(await sharp(processed.bytes).metadata()).toMatchObject({ format: 'png', width: 1024, height: 819 });
    const small = await processUploadedImage(solidPng(64, 64));
    expect(await sharp(small.bytes).metadata()).toMatchObject({ width: 64, height: 64 });
  });

  it('drops text chunks and anything after the PNG', async () => {
    const png = solidPng(8, 8);
    const withText = Buffer.concat([png.subarray(0, 33), textChunk('Comment', 'secret location'), png.subarray(33)]);
    const processed = await processUploadedImage(Buffer.concat([withText, Buffer.from('<script>trailing</script>')]));
    expect(processed.bytes.includes(Buffer.from('secret location'))).toBe(false);
    expect(processed.bytes.includes(Buffer.from('trailing'))).toBe(false);
  });

  it('sanitises an SVG and renders it to PNG', async () => {
    const processed = await processUploadedImage(
      Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10"><circle cx="5" cy="5" r="4"/></svg>'),
    );
    expect(processed.contentType).toBe('image/svg+xml');
    expect(processed.bytes.toString()).toContain('<circle cx="5" cy="5" r="4"/>');
    expect(await sharp(processed.png).metadata()).toMatchObject({ format: 'png', width: 512, height: 512 });
  });

  it('refuses text files, broken PNGs, unsafe SVGs and files over 2 MB', async () => {
    const code = async (bytes: Buffer) => {
      try {
        await processUploadedImage(bytes);
      } catch (error) {
        return (error as AppError).code;
      }
      return 'accepted';
    };
    expect(await code(Buffer.from('just some text'))).toBe('BADGE_IMAGE_INVALID');
    expect(await code(solidPng(4, 4).subarray(0, 40))).toBe('BADGE_IMAGE_INVALID');
    expect(await code(Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" onload="x()"/>'))).toBe(
      'BADGE_IMAGE_INVALID',
    );
    expect(await code(Buffer.alloc(MAX_UPLOAD_BYTES + 1, 1))).toBe('BADGE_IMAGE_TOO_LARGE');
    expect(sniffBadgeImage(Buffer.from('<?xml version="1.0"?>\n<svg/>'))).toBe('svg');
  });
});

function textChunk(keyword: string, text: string): Buffer {
  const data = Buffer.concat([Buffer.from(keyword), Buffer.from([0]), Buffer.from(text)]);
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  // A wrong CRC would make decoders stop; compute it as PNG does.
  const body = Buffer.concat([Buffer.from('tEXt'), data]);
  let c = 0xffffffff;
  for (const byte of body) {
    c ^= byte;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  }
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE((c ^ 0xffffffff) >>> 0);
  return Buffer.concat([length, body, crc]);
}
