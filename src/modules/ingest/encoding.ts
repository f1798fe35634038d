import { analyse } from 'chardet';
import iconv from 'iconv-lite';

/**
 * Character encodings Kaifang recognises in uploaded files (issue 4). Names follow what a clerk
 * declares in 編碼格式 where possible (UTF-8, BIG5, CP950), in their canonical spelling.
 */
export const ENCODINGS = [
  'UTF-8', 'UTF-16LE', 'UTF-16BE', 'Big5', 'CP950', 'Big5-HKSCS', 'GB18030', 'ISO-8859-1', 'windows-1252',
  // Seldom in Taiwanese government files, but named rather than misread as Latin-1 when they come.
  'ISO-8859-2', 'ISO-8859-7', 'windows-1251', 'Shift_JIS', 'EUC-JP', 'EUC-KR',
] as const;
export type Encoding = (typeof ENCODINGS)[number];

export interface EncodingGuess {
  encoding: Encoding;
  /** A byte-order mark starts the file (it is not part of the text). */
  bom: boolean;
  /** 0–100: 100 for a BOM or a strict UTF-8 decode; the detector's confidence otherwise. */
  confidence: number;
  /** Why, in a form a clerk can check: "BOM EF BB BF", "ETEN extension byte pair F9DB at byte 1234". */
  evidence: string;
  /** Only 7-bit ASCII was seen (then any ASCII-compatible declaration is right). */
  asciiOnly: boolean;
}

const BOMS: [Encoding, number[]][] = [
  ['UTF-8', [0xef, 0xbb, 0xbf]],
  ['UTF-16LE', [0xff, 0xfe]],
  ['UTF-16BE', [0xfe, 0xff]],
];

const hex = (n: number): string => n.toString(16).toUpperCase().padStart(2, '0');

function startsWith(buf: Uint8Array, bytes: number[]): boolean {
  return bytes.every((b, i) => buf[i] === b);
}

function isAscii(buf: Uint8Array): boolean {
  for (const b of buf) if (b >= 0x80) return false;
  return true;
}

/**
 * Offset of the first byte that breaks UTF-8, or -1 when the sample is valid UTF-8. A sample cut
 * from a longer file may end inside a character: an incomplete sequence in the last three bytes is
 * forgiven unless `complete` says the sample is the whole file.
 */
export function firstInvalidUtf8(buf: Uint8Array, complete: boolean): number {
  let i = 0;
  const n = buf.length;
  while (i < n) {
    const b = buf[i];
    if (b < 0x80) {
      i++;
      continue;
    }
    let len: number;
    let min: number;
    if (b >= 0xc2 && b <= 0xdf) [len, min] = [2, 0x80];
    else if (b >= 0xe0 && b <= 0xef) [len, min] = [3, 0x800];
    else if (b >= 0xf0 && b <= 0xf4) [len, min] = [4, 0x10000];
    else return i;
    if (i + len > n) return complete ? i : -1;
    let cp = b & (0xff >> (len + 1));
    for (let k = 1; k < len; k++) {
      const c = buf[i + k];
      if ((c & 0xc0) !== 0x80) return i;
      cp = (cp << 6) | (c & 0x3f);
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return i;
    i += len;
  }
  return -1;
}

/** UTF-16 without a BOM shows as ASCII text with every other byte zero. */
function utf16WithoutBom(buf: Uint8Array): Encoding | undefined {
  const n = Math.min(buf.length - (buf.length % 2), 4096);
  if (n < 8) return undefined;
  let evenZero = 0;
  let oddZero = 0;
  for (let i = 0; i < n; i += 2) {
    if (buf[i] === 0) evenZero++;
    if (buf[i + 1] === 0) oddZero++;
  }
  const pairs = n / 2;
  if (oddZero / pairs > 0.4 && evenZero / pairs < 0.05) return 'UTF-16LE';
  if (evenZero / pairs > 0.4 && oddZero / pairs < 0.05) return 'UTF-16BE';
  return undefined;
}

/** Strict Big5 (as published in 1984, without vendor extensions): the ranges of its graphic characters. */
function inStrictBig5(code: number): boolean {
  return (code >= 0xa140 && code <= 0xa3bf) || (code >= 0xa440 && code <= 0xc67e) || (code >= 0xc940 && code <= 0xf9d5);
}

/** What Microsoft's CP950 adds to Big5: the ETEN box-drawing block and seven characters (F9D6–F9FE), and the euro sign (A3E1). */
function inCp950Extension(code: number): boolean {
  return (code >= 0xf9d6 && code <= 0xf9fe) || code === 0xa3e1;
}

const isTrail = (b: number): boolean => (b >= 0x40 && b <= 0x7e) || (b >= 0xa1 && b <= 0xfe);

/**
 * Walks the double-byte pairs of a Big5-family text: which member of the family it needs, and the
 * first pair outside strict Big5 (the evidence a clerk can look up).
 */
function big5Family(buf: Uint8Array, complete: boolean): { encoding: Encoding; evidence: string } | undefined {
  let needs: Encoding = 'Big5';
  let evidence = '';
  for (let i = 0; i < buf.length; i++) {
    const lead = buf[i];
    if (lead < 0x80) continue;
    if (i + 1 >= buf.length) {
      if (complete) return undefined;
      break;
    }
    const trail = buf[i + 1];
    if (lead < 0x81 || lead > 0xfe || !isTrail(trail)) return undefined;
    const code = (lead << 8) | trail;
    if (!inStrictBig5(code)) {
      if (inCp950Extension(code)) {
        if (needs === 'Big5') {
          needs = 'CP950';
          evidence = `ETEN/CP950 extension byte pair ${hex(lead)}${hex(trail)} at byte ${i}`;
        }
      } else if (needs !== 'Big5-HKSCS') {
        needs = 'Big5-HKSCS';
        evidence = `byte pair ${hex(lead)}${hex(trail)} at byte ${i} is outside Big5 and CP950`;
      }
    }
    i++;
  }
  return { encoding: needs, evidence };
}

/**
 * Detects the encoding of a file from its first bytes (pass the whole file and `complete: true`
 * when it is small). Order: byte-order mark; UTF-16 by its zero bytes; strict UTF-8; then the
 * statistical detector (chardet, ICU's algorithm) between the Big5 family, GB18030 and the Latin
 * encodings, refined by the byte ranges that separate Big5, CP950 and Big5-HKSCS.
 */
export function detectEncoding(sample: Uint8Array, opts: { complete?: boolean } = {}): EncodingGuess {
  const complete = opts.complete ?? false;
  for (const [encoding, bytes] of BOMS) {
    if (startsWith(sample, bytes)) {
      return { encoding, bom: true, confidence: 100, evidence: `BOM ${bytes.map(hex).join(' ')}`, asciiOnly: false };
    }
  }
  const u16 = utf16WithoutBom(sample);
  if (u16) return { encoding: u16, bom: false, confidence: 90, evidence: `every other byte is zero (${u16} without a BOM)`, asciiOnly: false };
  if (isAscii(sample)) return { encoding: 'UTF-8', bom: false, confidence: 100, evidence: 'ASCII only', asciiOnly: true };
  const invalidAt = firstInvalidUtf8(sample, complete);
  if (invalidAt < 0) return { encoding: 'UTF-8', bom: false, confidence: 100, evidence: 'valid UTF-8', asciiOnly: false };

  const guess = (encoding: Encoding, confidence: number, evidence: string): EncodingGuess => ({ encoding, bom: false, confidence, evidence, asciiOnly: false });
  for (const c of analyse(sample)) {
    // Below this the detector is guessing: a few bytes of Latin-1 "look like" anything.
    const weak = c.confidence < 20;
    // The detector names many more encodings than we read; only these are considered.
    const name: string = c.name;
    switch (name) {
      case 'UTF-8':
        // Mostly UTF-8 with damaged bytes: say where the damage starts.
        if (!weak) return guess('UTF-8', Math.min(c.confidence, 60), `UTF-8 with an invalid byte ${hex(sample[invalidAt])} at byte ${invalidAt}`);
        break;
      case 'Big5': {
        const family = weak ? undefined : big5Family(sample, complete);
        if (family) return guess(family.encoding, c.confidence, family.evidence || 'Big5 double-byte pairs');
        break;
      }
      case 'GB18030':
      case 'Shift_JIS':
      case 'EUC-JP':
      case 'EUC-KR':
        if (!weak) return guess(name, c.confidence, `${name} character statistics`);
        break;
      case 'ISO-8859-1':
      case 'ISO-8859-9':
      case 'windows-1252': {
        // The Latin-1 family differ in a handful of letters; bytes 80–9F are control characters in
        // ISO-8859-1 but letters and punctuation in windows-1252.
        const c1 = sample.findIndex((b) => b >= 0x80 && b <= 0x9f);
        if (c1 >= 0) return guess('windows-1252', c.confidence, `byte ${hex(sample[c1])} at byte ${c1} (windows-1252 punctuation)`);
        return guess('ISO-8859-1', c.confidence, 'Latin-1 letters');
      }
      case 'ISO-8859-2':
      case 'ISO-8859-7':
      case 'windows-1251':
        if (!weak) return guess(name, c.confidence, `${name} letter statistics`);
        break;
      default:
        break;
    }
  }
  // Nothing fits well: Latin-1 decodes every byte, so the text is at least inspectable.
  return guess('ISO-8859-1', 0, `no encoding fits (first byte that is not UTF-8: ${hex(sample[invalidAt])} at byte ${invalidAt}); read as Latin-1`);
}

/** iconv-lite's name for each encoding; Big5 and CP950 decode with its Big5-HKSCS table, a superset of both. */
const ICONV: Record<Encoding, string> = {
  'UTF-8': 'utf8',
  'UTF-16LE': 'utf16le',
  'UTF-16BE': 'utf16be',
  Big5: 'big5hkscs',
  CP950: 'big5hkscs',
  'Big5-HKSCS': 'big5hkscs',
  GB18030: 'gb18030',
  'ISO-8859-1': 'latin1',
  'windows-1252': 'windows-1252',
  'ISO-8859-2': 'iso-8859-2',
  'ISO-8859-7': 'iso-8859-7',
  'windows-1251': 'windows-1251',
  Shift_JIS: 'shift_jis',
  'EUC-JP': 'euc-jp',
  'EUC-KR': 'euc-kr',
};

/** Decodes a whole buffer (BOM removed). */
export function decode(buf: Uint8Array, encoding: Encoding): string {
  return iconv.decode(Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength), ICONV[encoding], { stripBOM: true });
}

/** A transform stream from the file's bytes to UTF-8 text (BOM removed), for files of any size. */
export function decodeStream(encoding: Encoding): NodeJS.ReadWriteStream {
  return iconv.decodeStream(ICONV[encoding], { stripBOM: true });
}

/**
 * Normalises a declared 編碼格式 (as clerks write it: "UTF8", "BIG-5", "big5", "Unicode") to an
 * Encoding, or undefined when it names none we know ("其他").
 */
export function parseDeclaredEncoding(value: string): Encoding | undefined {
  const v = value.trim().toUpperCase().replace(/[\s_]/g, '-');
  const map: Record<string, Encoding> = {
    'UTF-8': 'UTF-8',
    UTF8: 'UTF-8',
    'UTF-8-BOM': 'UTF-8',
    'UTF-16': 'UTF-16LE',
    UNICODE: 'UTF-16LE',
    'UTF-16LE': 'UTF-16LE',
    'UTF-16-LE': 'UTF-16LE',
    'UTF-16BE': 'UTF-16BE',
    'UTF-16-BE': 'UTF-16BE',
    BIG5: 'Big5',
    'BIG-5': 'Big5',
    CP950: 'CP950',
    'MS950': 'CP950',
    'WINDOWS-950': 'CP950',
    'BIG5-HKSCS': 'Big5-HKSCS',
    GB18030: 'GB18030',
    GBK: 'GB18030',
    GB2312: 'GB18030',
    'ISO-8859-1': 'ISO-8859-1',
    LATIN1: 'ISO-8859-1',
    'LATIN-1': 'ISO-8859-1',
    'WINDOWS-1252': 'windows-1252',
    CP1252: 'windows-1252',
    'ISO-8859-2': 'ISO-8859-2',
    'ISO-8859-7': 'ISO-8859-7',
    'WINDOWS-1251': 'windows-1251',
    'SHIFT-JIS': 'Shift_JIS',
    SJIS: 'Shift_JIS',
    'EUC-JP': 'EUC-JP',
    'EUC-KR': 'EUC-KR',
  };
  return map[v];
}

/**
 * Whether a declaration fits what was detected. A file with only ASCII fits any ASCII-compatible
 * declaration; Big5 text fits a CP950 or Big5-HKSCS declaration (supersets), and a CP950 file fits
 * "BIG5" too, because clerks and data.gov.tw call CP950 "BIG5" (the difference is reported as evidence).
 */
export function declarationFits(declared: Encoding, detected: EncodingGuess): boolean {
  if (declared === detected.encoding) return true;
  const asciiCompatible = declared !== 'UTF-16LE' && declared !== 'UTF-16BE';
  if (detected.asciiOnly) return asciiCompatible;
  const big5 = ['Big5', 'CP950', 'Big5-HKSCS'];
  if (big5.includes(declared) && big5.includes(detected.encoding)) return detected.encoding !== 'Big5-HKSCS' || declared === 'Big5-HKSCS';
  // windows-1252 is the superset browsers use for "ISO-8859-1".
  if (declared === 'ISO-8859-1' && detected.encoding === 'windows-1252') return true;
  return false;
}

/**
 * The encoding a text file is read in: the bytes decide; a declared 編碼格式 is used only where
 * they cannot tell (weak detection of a file that is not plain ASCII).
 */
export function encodingToRead(detected: EncodingGuess, declared?: Encoding): Encoding {
  return declared && detected.confidence < 50 && !detected.asciiOnly ? declared : detected.encoding;
}
