/**
 * RDF Dataset Canonicalization (RDFC-1.0) with a shape cache.
 *
 * JSON-LD expansion dominates signing time (the OB 3.0 context is large and type-scoped).
 * Credentials we issue share a handful of shapes: the same keys, types and nesting, with
 * different strings. So we expand each shape once with numbered placeholder strings, note
 * where every placeholder lands in the expanded document, and for later documents of that
 * shape only copy the expanded template and put the real strings back in. Canonicalizing
 * an expanded document skips the costly context processing, and the result is the same
 * N-Quads; `engine.test.ts` proves it (byte-identical proofs) on 1,000 random credentials.
 *
 * A string is only substituted where expansion copies it verbatim: as an `@value`, or as an
 * `@id` when the real string is an absolute IRI whose scheme is not a JSON-LD term (a
 * compact IRI would expand differently). Anything else falls back to full expansion.
 */
import jsonld from 'jsonld';
import { bundledContextUrls, contextDocumentLoader, loadBundledContext } from './contexts.ts';
import { CredentialError, findCredentialError } from './errors.ts';

export interface CanonicalizeOptions {
  /** eddsa-rdfc-2022 uses 'i18n-datatype'; the older Ed25519Signature2020 suite sets none. */
  rdfDirection?: 'i18n-datatype';
}

/** The plain library path: full expansion every time. */
export function canonicalizeReference(document: unknown, options: CanonicalizeOptions = {}): Promise<string> {
  return canonize(document, options, false);
}

/**
 * Canonicalizes a document that is already in JSON-LD expanded form (a filled template), skipping the second expansion
 * `jsonld.canonize` would otherwise run: expansion is idempotent on expanded input, so the N-Quads are the same, and
 * that pass was about half of the canonicalization time.
 */
function canonicalizeExpanded(expanded: unknown, options: CanonicalizeOptions): Promise<string> {
  return canonize(expanded, options, true);
}

async function canonize(document: unknown, options: CanonicalizeOptions, skipExpansion: boolean): Promise<string> {
  try {
    return await jsonld.canonize(document, {
      algorithm: 'RDFC-1.0',
      format: 'application/n-quads',
      base: null,
      safe: true,
      skipExpansion,
      // Contexts only ever come from the bundle: canonicalization must never fetch.
      documentLoader: contextDocumentLoader,
      ...(options.rdfDirection ? { rdfDirection: options.rdfDirection } : {}),
    });
  } catch (error) {
    throw toCanonicalizeError(error);
  }
}

export function toCanonicalizeError(error: unknown): CredentialError {
  const known = findCredentialError(error);
  if (known) return known;
  const message = error instanceof Error ? error.message : String(error);
  return new CredentialError('INVALID_JSONLD', `The document is not valid JSON-LD for signing: ${message}`, {
    cause: error,
  });
}

const SLOT_PREFIX = 'urn:learnscape-slot:';
const SLOT_MARK = '\u0000';
/** Keys whose string values steer expansion (types, languages, contexts); they stay in the shape. */
const STRUCTURAL_KEYS = new Set(['type', '@type', '@language', '@direction', '@context', '@base', '@vocab', '@index']);
const ABSOLUTE_IRI = /^([A-Za-z][A-Za-z0-9+.-]*):[^\s]*$/;

interface Slot {
  path: (string | number)[];
  isIri: boolean;
}

type Template = { expanded: unknown; slots: Slot[] } | 'unusable';

/** Every term any bundled context defines: an IRI whose scheme is one of these is a compact IRI. */
const contextTermNames: ReadonlySet<string> = (() => {
  const names = new Set<string>();
  const collect = (value: unknown): void => {
    if (Array.isArray(value)) value.forEach(collect);
    else if (value && typeof value === 'object') {
      for (const [key, child] of Object.entries(value)) {
        names.add(key);
        collect(child);
      }
    }
  };
  for (const url of bundledContextUrls()) collect(loadBundledContext(url).document);
  return names;
})();

function isVerbatimIri(value: string): boolean {
  const match = ABSOLUTE_IRI.exec(value);
  return match !== null && !contextTermNames.has(match[1] as string);
}

function extractShape(value: unknown, parentKey: string, leaves: string[]): unknown {
  if (typeof value === 'string') {
    if (STRUCTURAL_KEYS.has(parentKey)) return value;
    leaves.push(value);
    return SLOT_MARK;
  }
  if (Array.isArray(value)) return value.map((item) => extractShape(item, parentKey, leaves));
  if (value !== null && typeof value === 'object') {
    const shape: Record<string, unknown> = {};
    for (const [key, child] of Object.entries(value)) {
      shape[key] = key === '@context' ? child : extractShape(child, key, leaves);
    }
    return shape;
  }
  return value;
}

function fillShape(shape: unknown, next: () => string): unknown {
  if (shape === SLOT_MARK) return next();
  if (Array.isArray(shape)) return shape.map((item) => fillShape(item, next));
  if (shape !== null && typeof shape === 'object') {
    const filled: Record<string, unknown> = {};
    for (const [key, child] of Object.entries(shape)) filled[key] = key === '@context' ? child : fillShape(child, next);
    return filled;
  }
  return shape;
}

function findSlots(expanded: unknown, slotCount: number): Slot[] | undefined {
  const slots: (Slot | undefined)[] = new Array(slotCount);
  let valid = true;
  const visit = (value: unknown, path: (string | number)[], parentKey: string | number): void => {
    if (!valid) return;
    if (typeof value === 'string') {
      if (!value.startsWith(SLOT_PREFIX)) return;
      const index = Number(value.slice(SLOT_PREFIX.length));
      if (slots[index] !== undefined || (parentKey !== '@value' && parentKey !== '@id')) {
        valid = false;
        return;
      }
      slots[index] = { path: [...path], isIri: parentKey === '@id' };
      return;
    }
    if (Array.isArray(value)) {
      value.forEach((item, index) => {
        visit(item, [...path, index], parentKey);
      });
    } else if (value !== null && typeof value === 'object') {
      for (const [key, child] of Object.entries(value)) {
        if (key.includes(SLOT_PREFIX)) valid = false;
        visit(child, [...path, key], key);
      }
    }
  };
  visit(expanded, [], '');
  if (!valid || slots.some((slot) => slot === undefined) || slots.length !== slotCount) return undefined;
  return slots as Slot[];
}

function setAtPath(root: unknown, path: (string | number)[], value: string): void {
  let node = root as Record<string | number, unknown>;
  for (let index = 0; index < path.length - 1; index++)
    node = node[path[index] as string | number] as Record<string | number, unknown>;
  node[path[path.length - 1] as string | number] = value;
}

export interface ShapeCachingCanonicalizer {
  canonicalize(document: unknown, options?: CanonicalizeOptions): Promise<string>;
  /** How many documents took the template path vs full expansion (for tests and the benchmark). */
  stats(): { templateHits: number; fullExpansions: number; shapes: number };
}

export function createShapeCachingCanonicalizer(maxShapes = 500): ShapeCachingCanonicalizer {
  const templates = new Map<string, Template>();
  let templateHits = 0;
  let fullExpansions = 0;

  async function buildTemplate(shape: unknown, slotCount: number): Promise<Template> {
    let counter = 0;
    const placeholderDocument = fillShape(shape, () => `${SLOT_PREFIX}${counter++}`);
    let expanded: unknown;
    try {
      expanded = await jsonld.expand(placeholderDocument, {
        base: null,
        safe: true,
        documentLoader: contextDocumentLoader,
      });
    } catch {
      // The real document will fail (or succeed) on the full path and report its own error.
      return 'unusable';
    }
    const slots = findSlots(expanded, slotCount);
    return slots ? { expanded, slots } : 'unusable';
  }

  async function templateFor(shape: unknown, slotCount: number): Promise<Template> {
    const key = JSON.stringify(shape);
    let template = templates.get(key);
    if (template === undefined) {
      template = await buildTemplate(shape, slotCount);
      if (templates.size >= maxShapes) templates.delete(templates.keys().next().value as string);
    } else {
      templates.delete(key); // re-insert: least recently used shapes are evicted first
    }
    templates.set(key, template);
    return template;
  }

  return {
    async canonicalize(document, options = {}) {
      let leaves: string[] = [];
      const shape = extractShape(document, '', leaves);
      let template = await templateFor(shape, leaves.length);
      if (template !== 'unusable') {
        // Values in @id position that expansion would rewrite (vocabulary terms such as
        // "assertionMethod", compact IRIs) are pinned into a refined shape of their own.
        const values = leaves;
        const pinned = new Set(
          template.slots.flatMap((slot, index) =>
            slot.isIri && !isVerbatimIri(values[index] as string) ? [index] : [],
          ),
        );
        if (pinned.size > 0) {
          let counter = 0;
          const refinedShape = fillShape(shape, () => {
            const index = counter++;
            return pinned.has(index) ? (values[index] as string) : SLOT_MARK;
          });
          leaves = values.filter((_, index) => !pinned.has(index));
          template = await templateFor(refinedShape, leaves.length);
        }
      }
      if (
        template !== 'unusable' &&
        template.slots.every((slot, index) => !slot.isIri || isVerbatimIri(leaves[index] as string))
      ) {
        const expanded = structuredClone(template.expanded);
        template.slots.forEach((slot, index) => {
          setAtPath(expanded, slot.path, leaves[index] as string);
        });
        templateHits++;
        return canonicalizeExpanded(expanded, options);
      }
      fullExpansions++;
      return canonicalizeReference(document, options);
    },
    stats: () => ({ templateHits, fullExpansions, shapes: templates.size }),
  };
}

/** One canonicalizer for the whole process, so every caller shares its templates. */
export const sharedCanonicalizer = createShapeCachingCanonicalizer();
