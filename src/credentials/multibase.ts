/** Multibase base58btc ('z' prefix), the encoding of Data Integrity proof values and Multikeys. */
const ALPHABET = '123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz';
const ALPHABET_INDEX = new Map([...ALPHABET].map((character, index) => [character, index]));

export function encodeBase58btc(bytes: Uint8Array): string {
  let zeros = 0;
  while (zeros < bytes.length && bytes[zeros] === 0) zeros++;
  const digits: number[] = [];
  for (let index = zeros; index < bytes.length; index++) {
    let carry = bytes[index] as number;
    for (let digit = 0; digit < digits.length; digit++) {
      carry += (digits[digit] as number) << 8;
      digits[digit] = carry % 58;
      carry = Math.floor(carry / 58);
    }
    while (carry > 0) {
      digits.push(carry % 58);
      carry = Math.floor(carry / 58);
    }
  }
  return (
    '1'.repeat(zeros) +
    digits
      .reverse()
      .map((digit) => ALPHABET[digit])
      .join('')
  );
}

export function decodeBase58btc(text: string): Uint8Array | undefined {
  let zeros = 0;
  while (zeros < text.length && text[zeros] === '1') zeros++;
  const bytes: number[] = [];
  for (let index = zeros; index < text.length; index++) {
    let carry = ALPHABET_INDEX.get(text[index] as string);
    if (carry === undefined) return undefined;
    for (let byte = 0; byte < bytes.length; byte++) {
      carry += (bytes[byte] as number) * 58;
      bytes[byte] = carry & 0xff;
      carry >>= 8;
    }
    while (carry > 0) {
      bytes.push(carry & 0xff);
      carry >>= 8;
    }
  }
  return Uint8Array.from([...new Array<number>(zeros).fill(0), ...bytes.reverse()]);
}

export function encodeMultibaseBase58btc(bytes: Uint8Array): string {
  return `z${encodeBase58btc(bytes)}`;
}

/** Decodes 'z' (base58btc) or 'u' (base64url, no padding) multibase; undefined for anything else. */
export function decodeMultibase(text: string): Uint8Array | undefined {
  if (text.startsWith('z')) return decodeBase58btc(text.slice(1));
  if (text.startsWith('u') && /^[A-Za-z0-9_-]*$/.test(text.slice(1)))
    return new Uint8Array(Buffer.from(text.slice(1), 'base64url'));
  return undefined;
}
