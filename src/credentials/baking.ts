/**
 * Baking: embedding a credential in a badge image, and reading it back.
 * - PNG: one iTXt chunk before IEND, keyword `openbadgecredential` (OB 3.0) or `openbadges` (OB 2.0).
 * - SVG: `<openbadges:credential>` with the JSON in CDATA, or `verify="<JWT>"` (OB 3.0);
 *   `<openbadges:assertion verify="<URL or JWS>">` (OB 2.0).
 */
import { crc32, inflateSync } from 'node:zlib';
import { CredentialError } from './errors.ts';

export type BadgeVersion = 'ob3' | 'ob2';

export const PNG_KEYWORD: Record<BadgeVersion, string> = { ob3: 'openbadgecredential', ob2: 'openbadges' };
export const SVG_NAMESPACE: Record<BadgeVersion, string> = {
  ob3: 'https://purl.imsglobal.org/ob/v3p0',
  ob2: 'http://openbadges.org',
};

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
const MAX_IMAGE_BYTES = 20 * 1024 * 1024;

export type ImageKind = 'png' | 'svg';

export function detectImageKind(image: Uint8Array): ImageKind {
  const bytes = Buffer.from(image.buffer, image.byteOffset, image.byteLength);
  if (bytes.length >= 8 && bytes.subarray(0, 8).equals(PNG_SIGNATURE)) return 'png';
  const head = bytes
    .subarray(0, 4096)
    .toString('utf8')
    .replace(/^\uFEFF/, '')
    .trimStart();
  if (/^(<\?xml[^>]*>\s*)?(<!--[\s\S]*?-->\s*|<!DOCTYPE[^>]*>\s*)*<svg[\s>]/i.test(head)) return 'svg';
  throw new CredentialError('INVALID_IMAGE', 'The file is neither a PNG nor an SVG image.');
}

function assertSize(image: Uint8Array): void {
  if (image.byteLength > MAX_IMAGE_BYTES)
    throw new CredentialError('INVALID_IMAGE', `The image is larger than ${MAX_IMAGE_BYTES / 1024 / 1024} MiB.`);
}

// ---------------------------------------------------------------- PNG

interface PngChunk {
  type: string;
  data: Buffer;
}

function readPngChunks(png: Buffer): PngChunk[] {
  const chunks: PngChunk[] = [];
  let offset = 8;
  while (offset < png.length) {
    if (offset + 12 > png.length) throw new CredentialError('INVALID_IMAGE', 'The PNG is truncated.');
    const length = png.readUInt32BE(offset);
    const type = png.subarray(offset + 4, offset + 8).toString('latin1');
    if (offset + 12 + length > png.length)
      throw new CredentialError('INVALID_IMAGE', `The PNG chunk ${type} is truncated.`);
    const data = png.subarray(offset + 8, offset + 8 + length);
    if (png.readUInt32BE(offset + 8 + length) !== crc32(png.subarray(offset + 4, offset + 8 + length))) {
      throw new CredentialError('INVALID_IMAGE', `The PNG chunk ${type} has a wrong checksum.`);
    }
    chunks.push({ type, data });
    offset += 12 + length;
    if (type === 'IEND') break;
  }
  if (chunks[0]?.type !== 'IHDR' || chunks[chunks.length - 1]?.type !== 'IEND')
    throw new CredentialError('INVALID_IMAGE', 'The PNG has no IHDR or IEND chunk.');
  return chunks;
}

function writePngChunk(chunk: PngChunk): Buffer {
  const header = Buffer.alloc(8);
  header.writeUInt32BE(chunk.data.length, 0);
  header.write(chunk.type, 4, 'latin1');
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(Buffer.concat([header.subarray(4), chunk.data])), 0);
  return Buffer.concat([header, chunk.data, crc]);
}

interface TextChunk {
  keyword: string;
  text: string;
}

function parseTextChunk(chunk: PngChunk): TextChunk | undefined {
  const keywordEnd = chunk.data.indexOf(0);
  if (keywordEnd < 0) return undefined;
  const keyword = chunk.data.subarray(0, keywordEnd).toString('latin1');
  if (chunk.type === 'tEXt') return { keyword, text: chunk.data.subarray(keywordEnd + 1).toString('latin1') };
  if (chunk.type !== 'iTXt') return undefined;
  // iTXt: keyword \0 compression-flag compression-method language \0 translated-keyword \0 text
  const compressed = chunk.data[keywordEnd + 1] === 1;
  const languageEnd = chunk.data.indexOf(0, keywordEnd + 3);
  const translatedEnd = languageEnd < 0 ? -1 : chunk.data.indexOf(0, languageEnd + 1);
  if (translatedEnd < 0) return undefined;
  const body = chunk.data.subarray(translatedEnd + 1);
  try {
    return {
      keyword,
      text: (compressed ? inflateSync(body, { maxOutputLength: MAX_IMAGE_BYTES }) : body).toString('utf8'),
    };
  } catch (error) {
    throw new CredentialError('INVALID_IMAGE', `The PNG text chunk "${keyword}" cannot be decompressed.`, {
      cause: error,
    });
  }
}

function iTXtChunk(keyword: string, text: string): PngChunk {
  return {
    type: 'iTXt',
    data: Buffer.concat([Buffer.from(keyword, 'latin1'), Buffer.from([0, 0, 0, 0, 0]), Buffer.from(text, 'utf8')]),
  };
}

export function bakePng(png: Uint8Array, payload: string, version: BadgeVersion = 'ob3'): Buffer {
  assertSize(png);
  const buffer = Buffer.from(png.buffer, png.byteOffset, png.byteLength);
  if (detectImageKind(buffer) !== 'png') throw new CredentialError('INVALID_IMAGE', 'The image is not a PNG.');
  const keyword = PNG_KEYWORD[version];
  // A badge carries one credential: drop any earlier one under the same keyword.
  const chunks = readPngChunks(buffer).filter((chunk) => parseTextChunk(chunk)?.keyword !== keyword);
  const end = chunks.pop() as PngChunk;
  return Buffer.concat([
    PNG_SIGNATURE,
    ...chunks.map(writePngChunk),
    writePngChunk(iTXtChunk(keyword, payload)),
    writePngChunk(end),
  ]);
}

// ---------------------------------------------------------------- SVG

function escapeAttribute(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');
}

function cdata(text: string): string {
  // "]]>" cannot appear inside CDATA: split it across two sections.
  return `<![CDATA[${text.replace(/]]>/g, ']]]]><![CDATA[>')}]]>`;
}

const SVG_ELEMENT = { ob3: 'credential', ob2: 'assertion' } as const;

function removeBakedElements(svg: string, element: string): string {
  return svg
    .replace(new RegExp(`<openbadges:${element}\\b[^>]*/>`, 'g'), '')
    .replace(new RegExp(`<openbadges:${element}\\b[^>]*>[\\s\\S]*?</openbadges:${element}>`, 'g'), '');
}

export interface SvgBakeInput {
  /** The credential JSON text (OB 3.0) or assertion JSON (OB 2.0, optional with a hosted URL). */
  json?: string;
  /** OB 3.0: a VC-JWT. OB 2.0: the hosted assertion URL or the JWS. */
  verify?: string;
}

export function bakeSvg(svgImage: Uint8Array | string, input: SvgBakeInput, version: BadgeVersion = 'ob3'): Buffer {
  const bytes =
    typeof svgImage === 'string'
      ? Buffer.from(svgImage, 'utf8')
      : Buffer.from(svgImage.buffer, svgImage.byteOffset, svgImage.byteLength);
  assertSize(bytes);
  if (detectImageKind(bytes) !== 'svg') throw new CredentialError('INVALID_IMAGE', 'The image is not an SVG.');
  if (!input.json && !input.verify)
    throw new CredentialError('INVALID_INPUT', 'Nothing to bake: give the JSON or the verify value.');
  const element = SVG_ELEMENT[version];
  let svg = removeBakedElements(bytes.toString('utf8'), element);
  const rootMatch = /<svg\b[^>]*>/.exec(svg);
  if (!rootMatch) throw new CredentialError('INVALID_IMAGE', 'The SVG has no <svg> element.');
  let root = rootMatch[0];
  const namespace = `xmlns:openbadges="${SVG_NAMESPACE[version]}"`;
  root = /xmlns:openbadges="[^"]*"/.test(root)
    ? root.replace(/xmlns:openbadges="[^"]*"/, namespace)
    : root.replace(/^<svg\b/, `<svg ${namespace}`);
  const verify = input.verify ? ` verify="${escapeAttribute(input.verify)}"` : '';
  const baked = `<openbadges:${element}${verify}>${input.json ? cdata(input.json) : ''}</openbadges:${element}>`;
  svg = `${svg.slice(0, rootMatch.index)}${root}${baked}${svg.slice(rootMatch.index + rootMatch[0].length)}`;
  return Buffer.from(svg, 'utf8');
}

function unescapeXml(text: string): string {
  return text
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&#(\d+);/g, (_, code: string) => String.fromCodePoint(Number(code)))
    .replace(/&amp;/g, '&');
}

// ---------------------------------------------------------------- unbaking

export interface UnbakedBadge {
  kind: ImageKind;
  version: BadgeVersion;
  /** The credential JSON text, a VC-JWT / JWS, or (OB 2.0 hosted) the assertion URL. */
  payload: string;
  payloadType: 'json' | 'jwt' | 'url';
}

function classify(payload: string): UnbakedBadge['payloadType'] {
  const trimmed = payload.trim();
  if (trimmed.startsWith('{')) return 'json';
  if (/^https?:\/\//.test(trimmed)) return 'url';
  if (/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*$/.test(trimmed)) return 'jwt';
  throw new CredentialError('IMAGE_HAS_NO_CREDENTIAL', 'The baked data is neither JSON, a JWT nor a URL.');
}

export function unbake(image: Uint8Array): UnbakedBadge {
  assertSize(image);
  const bytes = Buffer.from(image.buffer, image.byteOffset, image.byteLength);
  const kind = detectImageKind(bytes);
  if (kind === 'png') {
    const texts = readPngChunks(bytes)
      .map(parseTextChunk)
      .filter((text): text is TextChunk => text !== undefined);
    for (const version of ['ob3', 'ob2'] as const) {
      const found = texts.find((text) => text.keyword === PNG_KEYWORD[version]);
      if (found) return { kind, version, payload: found.text.trim(), payloadType: classify(found.text) };
    }
    throw new CredentialError('IMAGE_HAS_NO_CREDENTIAL', 'The PNG carries no baked badge.');
  }
  const svg = bytes.toString('utf8');
  for (const version of ['ob3', 'ob2'] as const) {
    const element = SVG_ELEMENT[version];
    const match = new RegExp(`<openbadges:${element}\\b([^>]*?)(/>|>([\\s\\S]*?)</openbadges:${element}>)`).exec(svg);
    if (!match) continue;
    const verify = /\bverify\s*=\s*"([^"]*)"/.exec(match[1] ?? '')?.[1];
    const content = (match[3] ?? '').trim();
    const json = content.startsWith('<![CDATA[')
      ? content.replace(/<!\[CDATA\[/g, '').replace(/]]>/g, '')
      : unescapeXml(content);
    if (json.trim()) return { kind, version, payload: json.trim(), payloadType: classify(json) };
    if (verify) return { kind, version, payload: unescapeXml(verify), payloadType: classify(unescapeXml(verify)) };
  }
  throw new CredentialError('IMAGE_HAS_NO_CREDENTIAL', 'The SVG carries no baked badge.');
}
