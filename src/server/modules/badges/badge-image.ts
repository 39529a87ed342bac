import sharp from 'sharp';
import type { BadgeDesign } from '../../db/schema.ts';
import { AppError } from '../../errors.ts';
import type { BadgeIcon, BadgeShape } from './badge-classes.model.ts';

/**
 * Badge images. A generated badge is drawn as a 512×512 SVG from its design (shape, colours, icon, text) and turned
 * into PNG with sharp; the same design always gives the same bytes. Uploads are PNG (decoded and re-encoded, which
 * drops metadata) or SVG (parsed strictly, refused when it carries scripts, event handlers, external references or
 * foreignObject, then re-serialised from an allow-list and rendered once to prove it is an image).
 */

export const MAX_UPLOAD_BYTES = 2 * 1024 * 1024;
export const MAX_PNG_SIDE = 1024;
export const BADGE_IMAGE_SIZE = 512;

// ── Colour contrast (WCAG 2.2) ──────────────────────────────────────────────────────────────────────────────────

export const hexColour = /^#[0-9a-f]{6}$/i;

function channel(value: number): number {
  const c = value / 255;
  return c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
}

/** Relative luminance of a `#rrggbb` colour. */
export function luminance(colour: string): number {
  const n = Number.parseInt(colour.slice(1), 16);
  return 0.2126 * channel((n >> 16) & 255) + 0.7152 * channel((n >> 8) & 255) + 0.0722 * channel(n & 255);
}

/** The WCAG contrast ratio of two `#rrggbb` colours, 1–21. */
export function contrastRatio(a: string, b: string): number {
  const [light, dark] = [luminance(a), luminance(b)].sort((x, y) => y - x) as [number, number];
  return (light + 0.05) / (dark + 0.05);
}

// ── Generated designs ───────────────────────────────────────────────────────────────────────────────────────────

/**
 * The icons, drawn on a 24×24 grid as strokes (round caps and joins) in the foreground colour. Trusted constants:
 * they go into the SVG as they are.
 */
const iconMarkup: Record<BadgeIcon, string> = {
  star: '<path d="M12 2.5l2.9 6 6.6.9-4.8 4.6 1.2 6.5L12 17.4l-5.9 3.1 1.2-6.5-4.8-4.6 6.6-.9z"/>',
  book: '<path d="M3 5c3-1 6-.6 9 1.5 3-2.1 6-2.5 9-1.5v14c-3-1-6-.6-9 1.5-3-2.1-6-2.5-9-1.5z"/><path d="M12 6.5v14"/>',
  code: '<path d="M8 7l-5 5 5 5"/><path d="M16 7l5 5-5 5"/><path d="M14 4l-4 16"/>',
  leaf: '<path d="M5 19C5 10 10 4 20 4c0 10-6 15-15 15z"/><path d="M5 19l8-8"/>',
  tools:
    '<path d="M15 3a5 5 0 0 0-4.8 6.4L3.6 16a1.9 1.9 0 0 0 2.7 2.7l6.6-6.6A5 5 0 0 0 19.3 7.3l-2.8 2.8-2.5-.6-.6-2.5z"/>',
  palette:
    '<path d="M12 3a9 9 0 0 0 0 18c1.5 0 2-1 2-2 0-1.2-1-1.5-1-2.5s1-1.5 2-1.5h2a4 4 0 0 0 4-4c0-4.4-4-8-9-8z"/>' +
    '<circle cx="7.5" cy="11" r="1"/><circle cx="10" cy="7" r="1"/><circle cx="15" cy="7.5" r="1"/>',
  people:
    '<circle cx="9" cy="8" r="3"/><path d="M3 20c0-3.5 2.7-6 6-6s6 2.5 6 6"/>' +
    '<circle cx="17" cy="9" r="2.5"/><path d="M16 14.2c2.8.3 5 2.6 5 5.8"/>',
  music: '<path d="M9 18V5l11-2v13"/><circle cx="6" cy="18" r="3"/><circle cx="17" cy="16" r="3"/>',
  globe:
    '<circle cx="12" cy="12" r="9"/><path d="M3 12h18"/>' +
    '<path d="M12 3c2.5 2.5 3.5 5.7 3.5 9s-1 6.5-3.5 9c-2.5-2.5-3.5-5.7-3.5-9s1-6.5 3.5-9z"/>',
  heart: '<path d="M12 20.5S3 14.5 3 8.5A5.5 5.5 0 0 1 12 5a5.5 5.5 0 0 1 9 3.5c0 6-9 12-9 12z"/>',
  lightbulb: '<path d="M9 18h6"/><path d="M10 21h4"/>' + '<path d="M12 3a6 6 0 0 0-3 11.2V16h6v-1.8A6 6 0 0 0 12 3z"/>',
  trophy:
    '<path d="M7 4h10v5a5 5 0 0 1-10 0z"/><path d="M7 6H4v2a3 3 0 0 0 3 3"/><path d="M17 6h3v2a3 3 0 0 1-3 3"/>' +
    '<path d="M12 14v4"/><path d="M8 21h8l-1-3H9z"/>',
};

/** The icons' drawings, for showing them beside their names in the form. */
export const badgeIconMarkup: Readonly<Record<string, string>> = iconMarkup;

/** The shape's outline in the 512×512 box, and how wide the text line may be where it sits. */
function shapeOutline(shape: BadgeShape): { markup: (attributes: string) => string; textWidth: number } {
  switch (shape) {
    case 'circle':
      return { markup: (a) => `<circle cx="256" cy="256" r="236" ${a}/>`, textWidth: 380 };
    case 'square':
      return { markup: (a) => `<rect x="24" y="24" width="464" height="464" rx="56" ${a}/>`, textWidth: 420 };
    case 'hexagon': {
      const points = Array.from({ length: 6 }, (_, i) => {
        const angle = ((60 * i - 90) * Math.PI) / 180;
        return `${(256 + 236 * Math.cos(angle)).toFixed(1)},${(256 + 236 * Math.sin(angle)).toFixed(1)}`;
      }).join(' ');
      return { markup: (a) => `<polygon points="${points}" ${a}/>`, textWidth: 360 };
    }
    case 'shield':
      return {
        markup: (a) => `<path d="M256 24 472 92v150c0 122-92 206-216 246C132 448 40 364 40 242V92z" ${a}/>`,
        textWidth: 300,
      };
    case 'star': {
      // A seal: twelve points, shallow enough to carry a line of text.
      const points = Array.from({ length: 24 }, (_, i) => {
        const radius = i % 2 === 0 ? 240 : 208;
        const angle = ((15 * i - 90) * Math.PI) / 180;
        return `${(256 + radius * Math.cos(angle)).toFixed(1)},${(256 + radius * Math.sin(angle)).toFixed(1)}`;
      }).join(' ');
      return { markup: (a) => `<polygon points="${points}" ${a}/>`, textWidth: 340 };
    }
  }
}

const xmlEscapes: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' };
const escapeXml = (value: string) => value.replace(/[&<>"']/g, (char) => xmlEscapes[char] ?? char);

/**
 * The SVG of a generated badge: 512×512, `role="img"` with the alt text as its `<title>`, so it is accessible when
 * opened on its own. Deterministic: the same design and alt text always give the same markup.
 */
export function renderBadgeSvg(design: BadgeDesign, alt: string): string {
  const outline = shapeOutline(design.shape);
  const text = design.text.trim();
  const icon = iconMarkup[design.icon as BadgeIcon] ?? iconMarkup.star;
  // The icon sits above the text, or in the middle when there is none.
  const iconSize = text ? 168 : 224;
  const iconX = 256 - iconSize / 2;
  const iconY = text ? 92 : 256 - iconSize / 2;
  const scale = (iconSize / 24).toFixed(4);
  // One line of text, as large as fits the shape's width at that height (about 0.6 em per character).
  const fontSize = Math.max(20, Math.min(64, Math.floor(outline.textWidth / (Math.max(text.length, 1) * 0.62))));
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${BADGE_IMAGE_SIZE}" height="${BADGE_IMAGE_SIZE}" viewBox="0 0 512 512" role="img" aria-labelledby="badge-title">`,
    `<title id="badge-title">${escapeXml(alt)}</title>`,
    outline.markup(`fill="${design.background}" stroke="${design.accent}" stroke-width="16"`),
    `<g transform="translate(${iconX} ${iconY}) scale(${scale})" fill="none" stroke="${design.foreground}" stroke-width="1.75" stroke-linecap="round" stroke-linejoin="round">${icon}</g>`,
    text
      ? `<text x="256" y="${352 + Math.round(fontSize / 3)}" font-family="DejaVu Sans, Liberation Sans, Arial, Helvetica, sans-serif" font-size="${fontSize}" font-weight="700" fill="${design.foreground}" text-anchor="middle">${escapeXml(text)}</text>`
      : '',
    '</svg>',
  ].join('');
}

/** A design for a new badge that has none yet: a blue circle with a star and the start of its name. */
export function defaultDesign(name: string): BadgeDesign {
  const words = name.trim().split(/\s+/);
  let text = '';
  for (const word of words) {
    const next = text ? `${text} ${word}` : word;
    if (next.length > 24) break;
    text = next;
  }
  return {
    shape: 'circle',
    background: '#0b5cad',
    foreground: '#ffffff',
    accent: '#f2b705',
    icon: 'star',
    text: text || name.trim().slice(0, 24),
  };
}

/** An SVG drawn as a square PNG (transparent around a shape that is not square). */
export async function svgToPng(svg: string | Buffer, size = BADGE_IMAGE_SIZE): Promise<Buffer> {
  return sharp(Buffer.isBuffer(svg) ? svg : Buffer.from(svg, 'utf8'), { limitInputPixels: 64_000_000 })
    .resize(size, size, { fit: 'contain', background: { r: 0, g: 0, b: 0, alpha: 0 } })
    .png({ compressionLevel: 9 })
    .toBuffer();
}

export function renderBadgePng(design: BadgeDesign, alt: string): Promise<Buffer> {
  return svgToPng(renderBadgeSvg(design, alt));
}

// ── SVG uploads: strict parse, refuse what is dangerous, re-serialise from an allow-list ─────────────────────────

/** Thrown for an SVG that is refused; the reason is shown to the person who uploaded it. */
export class UnsafeSvgError extends Error {}

interface SvgElement {
  name: string;
  attributes: [string, string][];
  children: SvgNode[];
}
type SvgNode = SvgElement | string;

/** Elements whose presence refuses the file: they run code or pull in other documents. */
const forbiddenElements = new Set([
  'script',
  'foreignobject',
  'iframe',
  'object',
  'embed',
  'handler',
  'listener',
  'audio',
  'video',
  'canvas',
  'html',
  'body',
]);

/** Elements kept (case as SVG spells them). Anything else is dropped with its content (editor metadata, animation). */
const allowedElements = new Set([
  'svg',
  'g',
  'defs',
  'symbol',
  'use',
  'title',
  'desc',
  'path',
  'rect',
  'circle',
  'ellipse',
  'line',
  'polyline',
  'polygon',
  'text',
  'tspan',
  'textPath',
  'linearGradient',
  'radialGradient',
  'stop',
  'clipPath',
  'mask',
  'pattern',
  'image',
  'marker',
  'style',
  'filter',
  'feBlend',
  'feColorMatrix',
  'feComponentTransfer',
  'feComposite',
  'feDropShadow',
  'feFlood',
  'feFuncA',
  'feFuncB',
  'feFuncG',
  'feFuncR',
  'feGaussianBlur',
  'feMerge',
  'feMergeNode',
  'feMorphology',
  'feOffset',
]);

/** Attributes kept: geometry, presentation, gradients, filters, text, references and accessibility. */
const allowedAttributes = new Set(
  `id class style x y width height rx ry cx cy r fx fy fr x1 y1 x2 y2 d points transform viewBox preserveAspectRatio
  version xmlns xmlns:xlink href xlink:href fill fill-opacity fill-rule stroke stroke-width stroke-linecap
  stroke-linejoin stroke-miterlimit stroke-dasharray stroke-dashoffset stroke-opacity opacity color display visibility
  overflow offset stop-color stop-opacity gradientUnits gradientTransform spreadMethod patternUnits
  patternContentUnits patternTransform clip-path clip-rule clipPathUnits mask maskUnits maskContentUnits filter
  filterUnits primitiveUnits in in2 result stdDeviation mode operator k1 k2 k3 k4 values type tableValues slope
  intercept amplitude exponent flood-color flood-opacity radius dx dy markerWidth markerHeight refX refY orient
  markerUnits marker-start marker-mid marker-end font-family font-size font-weight font-style font-variant
  text-anchor dominant-baseline alignment-baseline baseline-shift letter-spacing word-spacing text-decoration rotate
  textLength lengthAdjust startOffset method spacing side path pathLength xml:space xml:lang lang role aria-label
  aria-labelledby aria-describedby aria-hidden focusable mix-blend-mode isolation paint-order vector-effect
  shape-rendering text-rendering image-rendering color-interpolation color-interpolation-filters`.split(/\s+/),
);

const namedEntities: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

function decodeEntities(text: string): string {
  return text.replace(/&([^;\s&]{0,12});?/g, (match, name: string) => {
    if (!match.endsWith(';')) throw new UnsafeSvgError('The SVG has a stray “&” (it is not well-formed XML).');
    if (name in namedEntities) return namedEntities[name] as string;
    const numeric = /^#(x[0-9a-f]{1,6}|[0-9]{1,7})$/i.exec(name);
    if (numeric) {
      const code = name[1] === 'x' || name[1] === 'X' ? Number.parseInt(name.slice(2), 16) : Number(name.slice(1));
      if (code > 0 && code <= 0x10ffff) return String.fromCodePoint(code);
    }
    throw new UnsafeSvgError(`The SVG uses the entity “&${name};”, which is not allowed.`);
  });
}

const MAX_NODES = 50_000;
const MAX_DEPTH = 64;

const closeTag = /<\/([A-Za-z_][-\w.:]*)\s*>/y;
const openTag = /<([A-Za-z_][-\w.:]*)/y;
const spaces = /\s*/y;
const attributePattern = /([A-Za-z_][-\w.:]*)\s*=\s*(?:"([^"<]*)"|'([^'<]*)')/y;

/** Runs a sticky pattern at a position. */
function matchAt(pattern: RegExp, source: string, position: number): RegExpExecArray | null {
  pattern.lastIndex = position;
  return pattern.exec(source);
}

/** Parses XML strictly into elements and text; comments and the XML declaration are dropped. */
function parseXml(source: string): SvgElement {
  let position = 0;
  let nodes = 0;
  const root: SvgElement = { name: '#document', attributes: [], children: [] };
  const stack: SvgElement[] = [root];
  const fail = (reason: string): never => {
    throw new UnsafeSvgError(reason);
  };
  const current = () => stack[stack.length - 1] as SvgElement;
  while (position < source.length) {
    const next = source.indexOf('<', position);
    const textEnd = next === -1 ? source.length : next;
    if (textEnd > position) {
      const text = source.slice(position, textEnd);
      if (current() === root) {
        if (text.trim()) fail('The file has text outside its <svg> element.');
      } else current().children.push(decodeEntities(text));
      position = textEnd;
      continue;
    }
    if (source.startsWith('<!--', position)) {
      const end = source.indexOf('-->', position + 4);
      if (end === -1) fail('The SVG has an unclosed comment.');
      position = end + 3;
      continue;
    }
    if (source.startsWith('<![CDATA[', position)) {
      const end = source.indexOf(']]>', position + 9);
      if (end === -1) fail('The SVG has an unclosed CDATA section.');
      if (current() === root) fail('The file has text outside its <svg> element.');
      current().children.push(source.slice(position + 9, end));
      position = end + 3;
      continue;
    }
    if (source.startsWith('<!', position)) {
      fail('Document type declarations and entities are not allowed in SVG uploads.');
    }
    if (source.startsWith('<?', position)) {
      const end = source.indexOf('?>', position);
      if (end === -1) fail('The SVG has an unclosed processing instruction.');
      if (!/^<\?xml[\s?]/.test(source.slice(position, position + 6)) || root.children.length > 0) {
        fail('Processing instructions (such as style sheets) are not allowed in SVG uploads.');
      }
      position = end + 2;
      continue;
    }
    if (source.startsWith('</', position)) {
      const match = matchAt(closeTag, source, position);
      if (!match || current() === root || current().name !== match[1]) {
        fail('The SVG is not well-formed XML (a closing tag does not match).');
      }
      stack.pop();
      position += (match as RegExpExecArray)[0].length;
      continue;
    }
    const open = matchAt(openTag, source, position);
    if (!open) fail('The SVG is not well-formed XML (a “<” starts no tag).');
    const element: SvgElement = { name: (open as RegExpExecArray)[1] as string, attributes: [], children: [] };
    position += (open as RegExpExecArray)[0].length;
    const seen = new Set<string>();
    let selfClosing = false;
    for (;;) {
      const gap = (matchAt(spaces, source, position) as RegExpExecArray)[0].length;
      position += gap;
      if (source.startsWith('/>', position)) {
        selfClosing = true;
        position += 2;
        break;
      }
      if (source.startsWith('>', position)) {
        position += 1;
        break;
      }
      const attribute = gap > 0 ? matchAt(attributePattern, source, position) : null;
      if (!attribute) fail(`The SVG is not well-formed XML (an attribute of <${element.name}> is broken).`);
      const [whole, name, doubleQuoted, singleQuoted] = attribute as RegExpExecArray;
      if (seen.has(name as string)) fail(`The attribute “${name}” appears twice on <${element.name}>.`);
      seen.add(name as string);
      element.attributes.push([name as string, decodeEntities(doubleQuoted ?? singleQuoted ?? '')]);
      position += (whole as string).length;
    }
    nodes += 1;
    if (nodes > MAX_NODES) fail('The SVG has too many elements.');
    if (current() === root && root.children.length > 0) fail('The file has more than one root element.');
    current().children.push(element);
    if (!selfClosing) {
      stack.push(element);
      if (stack.length > MAX_DEPTH) fail('The SVG nests elements too deeply.');
    }
  }
  if (stack.length > 1) fail('The SVG is not well-formed XML (an element is not closed).');
  const [svg] = root.children;
  if (!svg || typeof svg === 'string' || svg.name !== 'svg') {
    fail('The file is not an SVG image (its root is not <svg>).');
  }
  return svg as SvgElement;
}

const safeRasterData = /^data:image\/(png|jpeg|gif|webp)[;,]/i;

/** A reference is allowed when it points inside the document (#id) or is an embedded raster image. */
function isLocalReference(value: string): boolean {
  const reference = value.trim().replace(/^['"]|['"]$/g, '');
  return reference.startsWith('#') || safeRasterData.test(reference);
}

function checkCss(css: string, where: string): void {
  const compact = css.replace(/\\/g, '').replace(/\s+/g, '').toLowerCase();
  if (compact.includes('@import')) throw new UnsafeSvgError(`${where} imports another style sheet.`);
  if (compact.includes('javascript:') || compact.includes('expression(')) {
    throw new UnsafeSvgError(`${where} contains script.`);
  }
  for (const match of css.matchAll(/url\(\s*([^)]*)\)/gi)) {
    if (!isLocalReference(match[1] ?? '')) throw new UnsafeSvgError(`${where} refers to an external file.`);
  }
}

function checkElement(element: SvgElement): void {
  const local = element.name.split(':').pop()?.toLowerCase() ?? '';
  if (forbiddenElements.has(local)) {
    throw new UnsafeSvgError(
      local === 'foreignobject'
        ? 'The SVG contains a <foreignObject>, which is not allowed.'
        : `The SVG contains a <${element.name}> element, which is not allowed.`,
    );
  }
  for (const [name, value] of element.attributes) {
    const attribute = name.split(':').pop()?.toLowerCase() ?? '';
    if (attribute.startsWith('on')) {
      throw new UnsafeSvgError(`The SVG has an event handler (${name} on <${element.name}>), which is not allowed.`);
    }
    // Control characters and spaces are ignored by URL parsers, so "java\tscript:" is javascript: too.
    if (
      value
        // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what a URL parser ignores
        .replace(/[\u0000-\u0020]/g, '')
        .toLowerCase()
        .includes('javascript:')
    ) {
      throw new UnsafeSvgError(`The SVG has script in the attribute ${name} of <${element.name}>.`);
    }
    if (attribute === 'href' && !isLocalReference(value)) {
      throw new UnsafeSvgError(
        `The SVG refers to an external file (${name}="${value.slice(0, 60)}" on <${element.name}>); embed images instead.`,
      );
    }
    if (name === 'style') checkCss(value, `The style of <${element.name}>`);
    else if (/url\(/i.test(value)) checkCss(value, `The attribute ${name} of <${element.name}>`);
  }
  if (local === 'style') {
    checkCss(
      element.children.filter((child): child is string => typeof child === 'string').join(''),
      'A <style> element',
    );
  }
  for (const child of element.children) if (typeof child !== 'string') checkElement(child);
}

function serialise(element: SvgElement, isRoot: boolean): string {
  const attributes = element.attributes.filter(
    ([name]) => allowedAttributes.has(name) && !(isRoot && (name === 'xmlns' || name === 'xmlns:xlink')),
  );
  const usesXlink = (node: SvgElement): boolean =>
    node.attributes.some(([name]) => name === 'xlink:href') ||
    node.children.some((child) => typeof child !== 'string' && allowedElements.has(child.name) && usesXlink(child));
  const rootNamespaces = isRoot
    ? ` xmlns="http://www.w3.org/2000/svg"${usesXlink(element) ? ' xmlns:xlink="http://www.w3.org/1999/xlink"' : ''}`
    : '';
  const attributeText = attributes.map(([name, value]) => ` ${name}="${escapeXml(value)}"`).join('');
  const children = element.children
    .map((child) =>
      typeof child === 'string' ? escapeXml(child) : allowedElements.has(child.name) ? serialise(child, false) : '',
    )
    .join('');
  return children
    ? `<${element.name}${rootNamespaces}${attributeText}>${children}</${element.name}>`
    : `<${element.name}${rootNamespaces}${attributeText}/>`;
}

/**
 * Checks an uploaded SVG and returns it rebuilt from allowed elements and attributes only. Throws UnsafeSvgError for
 * scripts, event handlers, external references (href not starting with "#" or a raster data: URL, CSS url() and
 * @import), foreignObject, DOCTYPEs and entities, and anything that is not well-formed XML.
 */
export function sanitizeSvg(source: string): string {
  const text = source.replace(/^\uFEFF/, '').trim();
  const svg = parseXml(text);
  checkElement(svg);
  return serialise(svg, true);
}

// ── Uploads ─────────────────────────────────────────────────────────────────────────────────────────────────────

export interface ProcessedImage {
  /** What was uploaded. */
  contentType: 'image/png' | 'image/svg+xml';
  /** The upload as it is kept: the re-encoded PNG, or the sanitised SVG. */
  bytes: Buffer;
  /** The PNG form, stored for every upload (for SVG, rendered once here at 512×512). */
  png: Buffer;
}

const pngSignature = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/** What the bytes are, by their content (never by a file name or declared type). */
export function sniffBadgeImage(bytes: Buffer): 'png' | 'svg' | null {
  if (bytes.subarray(0, 8).equals(pngSignature)) return 'png';
  const head = bytes
    .subarray(0, 4096)
    .toString('utf8')
    .replace(/^\uFEFF/, '');
  if (/^\s*(<\?xml[^>]*>\s*)?(<!--[\s\S]*?-->\s*)*(<!DOCTYPE[^>]*>\s*)?<svg[\s/>]/i.test(head)) return 'svg';
  return null;
}

/**
 * Checks and re-encodes an uploaded badge image. PNG: decoded and written again (metadata and any appended data
 * gone), at most 1024 px on its longer side. SVG: sanitised, and rendered to PNG to prove it draws.
 */
export async function processUploadedImage(bytes: Buffer): Promise<ProcessedImage> {
  if (bytes.length > MAX_UPLOAD_BYTES) throw new AppError('BADGE_IMAGE_TOO_LARGE');
  const kind = sniffBadgeImage(bytes);
  if (kind === 'png') {
    try {
      const image = sharp(bytes, { limitInputPixels: 40_000_000 });
      const metadata = await image.metadata();
      if (metadata.format !== 'png' || !metadata.width || !metadata.height) throw new Error('not a PNG');
      const png = await image
        .resize(MAX_PNG_SIDE, MAX_PNG_SIDE, { fit: 'inside', withoutEnlargement: true })
        .png({ compressionLevel: 9 })
        .toBuffer();
      return { contentType: 'image/png', bytes: png, png };
    } catch {
      throw new AppError('BADGE_IMAGE_INVALID', 'The file looks like a PNG but cannot be read as one.');
    }
  }
  if (kind === 'svg') {
    let svg: string;
    try {
      svg = sanitizeSvg(bytes.toString('utf8'));
    } catch (error) {
      if (error instanceof UnsafeSvgError) {
        throw new AppError('BADGE_IMAGE_INVALID', undefined, [{ field: '/image', problem: error.message }]);
      }
      throw error;
    }
    let png: Buffer;
    try {
      png = await svgToPng(svg);
    } catch {
      throw new AppError('BADGE_IMAGE_INVALID', 'The SVG could not be drawn as an image.');
    }
    return { contentType: 'image/svg+xml', bytes: Buffer.from(svg, 'utf8'), png };
  }
  throw new AppError('BADGE_IMAGE_INVALID');
}
