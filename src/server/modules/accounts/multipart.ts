/** One `multipart/form-data` body: text fields, and file parts as bytes. */
export interface MultipartBody {
  [field: string]: string | { fileName: string; contentType: string; bytes: Buffer } | undefined;
}

/**
 * Parses a `multipart/form-data` body held in memory (the route's body limit bounds it). Enough for the few forms
 * with a file field; text fields become strings so the CSRF check reads `_csrf` as for any other form.
 */
export function parseMultipart(body: Buffer, contentType: string): MultipartBody {
  const boundary = /boundary=(?:"([^"]+)"|([^;]+))/i.exec(contentType);
  const marker = boundary?.[1] ?? boundary?.[2];
  if (!marker) throw new Error('multipart body without boundary');
  const delimiter = Buffer.from(`--${marker}`);
  const result: MultipartBody = {};
  let start = body.indexOf(delimiter);
  while (start !== -1) {
    const partStart = start + delimiter.length;
    if (body.subarray(partStart, partStart + 2).toString() === '--') break;
    const next = body.indexOf(delimiter, partStart);
    if (next === -1) break;
    // Each part: CRLF, headers, CRLF CRLF, content, CRLF before the next delimiter.
    const part = body.subarray(partStart + 2, next - 2);
    const headerEnd = part.indexOf('\r\n\r\n');
    if (headerEnd !== -1) {
      const headers = part.subarray(0, headerEnd).toString('utf8');
      const content = part.subarray(headerEnd + 4);
      const name = /name="([^"]*)"/i.exec(headers)?.[1];
      const fileName = /filename="([^"]*)"/i.exec(headers)?.[1];
      if (name && !(name in result)) {
        result[name] =
          fileName !== undefined
            ? {
                fileName,
                contentType: /content-type:\s*([^\r\n]+)/i.exec(headers)?.[1]?.trim() ?? 'application/octet-stream',
                bytes: Buffer.from(content),
              }
            : content.toString('utf8');
      }
    }
    start = next;
  }
  return result;
}
