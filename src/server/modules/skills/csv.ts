import fs from 'node:fs';

/** A problem in a CSV file, named by file and line so a person can open the file and fix it. */
export class CsvProblem extends Error {
  constructor(
    readonly file: string,
    readonly line: number,
    readonly problem: string,
  ) {
    super(`${file}, line ${line}: ${problem}`);
    this.name = 'CsvProblem';
  }
}

export interface CsvRecord {
  /** The line the record starts on (1 is the header). */
  line: number;
  fields: string[];
}

/**
 * Reads an RFC 4180 CSV file as a stream of records: quoted fields may hold commas, doubled quotes and line breaks.
 * The bytes must be UTF-8 (a byte-order mark is skipped); invalid UTF-8, an unterminated quote or a stray quote
 * throws a `CsvProblem` naming the line.
 */
export async function* readCsv(filePath: string, displayName = filePath): AsyncGenerator<CsvRecord> {
  const decoder = new TextDecoder('utf-8', { fatal: true });
  let line = 1;
  let recordLine = 1;
  let field = '';
  let fields: string[] = [];
  let inQuotes = false;
  /** After a closing quote only a separator or a line end may follow. */
  let afterQuote = false;
  /** Text held back because its meaning depends on the next character (a quote, or a CR before LF). */
  let carry = '';
  const records: CsvRecord[] = [];

  const decode = (chunk?: Buffer): string => {
    try {
      return chunk ? decoder.decode(chunk, { stream: true }) : decoder.decode();
    } catch {
      // Name the line of the first bad byte: decode leniently and count the line breaks before the replacement.
      const lenient = chunk ? chunk.toString('utf8') : '';
      const bad = Math.max(0, lenient.indexOf('\uFFFD'));
      const lineOfBadByte = line + (lenient.slice(0, bad).match(/\n/g)?.length ?? 0);
      throw new CsvProblem(
        displayName,
        lineOfBadByte,
        'the file is not valid UTF-8 text (wrong encoding?); save it as UTF-8 and try again',
      );
    }
  };

  const parse = (text: string, final: boolean) => {
    let limit = text.length;
    const last = text.charCodeAt(limit - 1);
    if (!final && (last === 34 || last === 13)) limit--;
    let start = 0;
    let i = 0;
    for (; i < limit; i++) {
      const char = text.charCodeAt(i);
      if (inQuotes) {
        if (char === 34 /* " */) {
          field += text.slice(start, i);
          if (text.charCodeAt(i + 1) === 34) {
            field += '"';
            i++;
          } else {
            inQuotes = false;
            afterQuote = true;
          }
          start = i + 1;
        } else if (char === 10 /* \n */) {
          line++;
        }
        continue;
      }
      if (char === 44 /* , */ || char === 10 || char === 13) {
        field += text.slice(start, i);
        fields.push(field);
        field = '';
        afterQuote = false;
        if (char !== 44) {
          records.push({ line: recordLine, fields });
          fields = [];
          if (char === 13 && text.charCodeAt(i + 1) === 10) i++;
          line++;
          recordLine = line;
        }
        start = i + 1;
        continue;
      }
      if (afterQuote) {
        throw new CsvProblem(displayName, line, 'text follows a closing quote; a quoted field must end at a comma');
      }
      if (char === 34) {
        if (i > start || field.length > 0) {
          throw new CsvProblem(displayName, line, 'a quote appears inside an unquoted field; quote the whole field');
        }
        inQuotes = true;
        start = i + 1;
      }
    }
    if (inQuotes || !afterQuote) field += text.slice(start, limit);
    carry = text.slice(limit);
  };

  const stream = fs.createReadStream(filePath, { highWaterMark: 1 << 20 });
  let first = true;
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    let text = carry + decode(chunk);
    if (first) {
      text = text.replace(/^\uFEFF/, '');
      first = false;
    }
    parse(text, false);
    for (const record of records) yield record;
    records.length = 0;
  }
  parse(carry + decode(), true);
  for (const record of records) yield record;
  if (inQuotes) throw new CsvProblem(displayName, recordLine, 'a quoted field is never closed');
  if (field.length > 0 || fields.length > 0 || afterQuote) {
    fields.push(field);
    yield { line: recordLine, fields };
  }
}

/** Strips a leading byte-order mark from a header cell. */
export function cleanHeader(name: string): string {
  return name.replace(/^\uFEFF/, '').trim();
}
