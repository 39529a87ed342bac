import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { bakePng, bakeSvg, detectImageKind, unbake } from './baking.ts';
import { FIXTURES } from './fixtures.test-support.ts';
import { verifyCredential } from './verify.ts';
import { mapFetcher, readJson, synthesizedControllerDocuments } from './fixtures.test-support.ts';

const fixture = (path: string) => readFileSync(join(FIXTURES, path));
const plainPng = fixture('ob20-1edtech/assets/robotics-badge.png');
const plainSvg =
  '<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10"><circle r="4" cx="5" cy="5"/></svg>';
const credentialJson = JSON.stringify(readJson('ob30-1edtech/simple.json'));

function pngChunksHaveValidCrc(png: Buffer): boolean {
  for (let offset = 8; offset < png.length; ) {
    const length = png.readUInt32BE(offset);
    if (png.readUInt32BE(offset + 8 + length) !== crc32(png.subarray(offset + 4, offset + 8 + length))) return false;
    offset += 12 + length;
  }
  return true;
}

describe('baking PNG', () => {
  it('bakes and unbakes OB 3.0 (iTXt openbadgecredential) and OB 2.0 (openbadges)', () => {
    const baked = bakePng(plainPng, credentialJson, 'ob3');
    expect(pngChunksHaveValidCrc(baked)).toBe(true);
    expect(baked.includes(Buffer.from('iTXtopenbadgecredential\0'))).toBe(true);
    expect(unbake(baked)).toEqual({ kind: 'png', version: 'ob3', payload: credentialJson, payloadType: 'json' });
    const ob2 = bakePng(plainPng, 'https://example.org/assertions/1', 'ob2');
    expect(unbake(ob2)).toEqual({
      kind: 'png',
      version: 'ob2',
      payload: 'https://example.org/assertions/1',
      payloadType: 'url',
    });
  });

  it('replaces an earlier baked credential instead of adding a second one', () => {
    const twice = bakePng(bakePng(plainPng, '{"first":1}'), '{"second":2}');
    expect(twice.toString('latin1').split('openbadgecredential').length - 1).toBe(1);
    expect(unbake(twice).payload).toBe('{"second":2}');
  });

  it('unbakes the 1EdTech sample PNGs (JSON and JWT)', async () => {
    const json = unbake(fixture('ob30-1edtech/simple-json.png'));
    expect(json.payloadType).toBe('json');
    const credential = JSON.parse(json.payload);
    expect(credential.type).toContain('OpenBadgeCredential');
    const result = await verifyCredential(credential, {
      fetchJson: mapFetcher(synthesizedControllerDocuments([credential])),
    });
    expect(result.checks.find((check) => check.id === 'open-badges')?.passed).toBe(true);
    expect(unbake(fixture('ob30-1edtech/simple-jwt.png')).payloadType).toBe('jwt');
    expect(unbake(fixture('ob30-1edtech/simple-jwt_v1.png')).payloadType).toBe('jwt');
  });

  it('rejects images that are not PNG or SVG, and PNGs with broken checksums', () => {
    expect(() => detectImageKind(Buffer.from('GIF89a....'))).toThrow(
      expect.objectContaining({ code: 'INVALID_IMAGE' }),
    );
    expect(() => bakePng(Buffer.from('%PDF-1.4'), '{}')).toThrow(expect.objectContaining({ code: 'INVALID_IMAGE' }));
    const broken = Buffer.from(plainPng);
    broken[40] = (broken[40] as number) ^ 0xff;
    expect(() => unbake(broken)).toThrow(/checksum|chunk/);
    expect(() => unbake(plainPng)).toThrow(expect.objectContaining({ code: 'IMAGE_HAS_NO_CREDENTIAL' }));
  });
});

describe('baking SVG', () => {
  it('bakes OB 3.0 JSON in CDATA and a VC-JWT in verify=""', () => {
    const baked = bakeSvg(plainSvg, { json: credentialJson }).toString('utf8');
    expect(baked).toContain('xmlns:openbadges="https://purl.imsglobal.org/ob/v3p0"');
    expect(baked).toContain('<openbadges:credential><![CDATA[');
    expect(unbake(Buffer.from(baked))).toEqual({
      kind: 'svg',
      version: 'ob3',
      payload: credentialJson,
      payloadType: 'json',
    });
    const jwt = 'eyJhbGciOiJFZERTQSJ9.eyJ2YyI6e319.c2ln';
    expect(unbake(bakeSvg(plainSvg, { verify: jwt }))).toMatchObject({ payload: jwt, payloadType: 'jwt' });
  });

  it('bakes OB 2.0 assertions with verify="<url>", and survives "]]>" in the JSON', () => {
    const json = JSON.stringify({ narrative: 'a ]]> b' });
    const baked = bakeSvg(plainSvg, { verify: 'https://example.org/assertions/1', json }, 'ob2');
    expect(baked.toString('utf8')).toContain('<openbadges:assertion verify="https://example.org/assertions/1">');
    expect(baked.toString('utf8')).toContain('xmlns:openbadges="http://openbadges.org"');
    expect(unbake(baked)).toMatchObject({ version: 'ob2', payload: json, payloadType: 'json' });
    expect(unbake(bakeSvg(plainSvg, { verify: 'https://example.org/assertions/1' }, 'ob2'))).toMatchObject({
      payloadType: 'url',
    });
  });

  it('replaces an existing baked credential', () => {
    const twice = bakeSvg(bakeSvg(plainSvg, { json: '{"a":1}' }), { json: '{"b":2}' }).toString('utf8');
    expect(twice.match(/<openbadges:credential/g)?.length).toBe(1);
    expect(unbake(Buffer.from(twice)).payload).toBe('{"b":2}');
  });

  it('unbakes the 1EdTech sample SVGs', () => {
    const json = unbake(fixture('ob30-1edtech/simple-json.svg'));
    expect(JSON.parse(json.payload).type).toContain('OpenBadgeCredential');
    expect(unbake(fixture('ob30-1edtech/simple-jwt.svg')).payloadType).toBe('jwt');
    expect(unbake(fixture('ob30-1edtech/simple-jwt_v1.svg')).payloadType).toBe('jwt');
  });
});
