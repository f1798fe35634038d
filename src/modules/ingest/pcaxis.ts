import { decode, detectEncoding, parseDeclaredEncoding, type Encoding, type EncodingGuess } from './encoding.ts';

/**
 * PC-Axis (.px) statistical cubes (issue 4), as DGBAS, Taiwanese city governments and other
 * statistical offices write them: `KEYWORD[lang]("subkey")=value;` lines, multilingual keywords,
 * CHARSET/CODEPAGE declarations (often wrong: UTF-8 bytes under CHARSET="ANSI"), quoted missing
 * value symbols (".", "..", "-"), ROC year labels. No maintained npm package reads PX (the `px`
 * package dates from 2014), so this is our own, small reader; the format is documented by
 * Statistics Sweden (PX file format specification 2013).
 */

export class PxError extends Error {
  constructor(
    readonly line: number,
    readonly zh: string,
    readonly en: string,
  ) {
    super(`第 ${line} 行：${zh} / line ${line}: ${en}`);
  }
}

export interface PxDimension {
  name: string;
  /** Value labels in the file's default language, in data order. */
  values: string[];
  /** CODES(...) when given, same order. */
  codes?: string[];
  /** The dimension is time (TIMEVAL or HEADING/STUB named as such). */
  time: boolean;
}

export interface PxCube {
  /** Declared charset and codepage, and what the bytes really are. */
  encoding: { declaredCharset: string | null; declaredCodepage: string | null; detected: EncodingGuess; used: Encoding };
  language: string | null;
  languages: string[];
  matrix: string | null;
  title: string | null;
  contents: string | null;
  units: string | null;
  decimals: number | null;
  source: string | null;
  notes: string[];
  lastUpdated: string | null;
  /** STUB dimensions then HEADING dimensions: the data varies fastest along the last one. */
  dimensions: PxDimension[];
  stubCount: number;
  /** One number per cell in data order; null where the file has a missing-value symbol. */
  data: (number | null)[];
  /** For each null cell (by index), the symbol the file used (".", "..", "-", …). */
  missing: Map<number, string>;
  /** What a clerk should know about the file (in zh-TW / English): damaged text, declarations that do not match. */
  warnings: string[];
  /** Every keyword as read: `NAME[lang](sub,…)` → values (for what this reader does not interpret). */
  keywords: Map<string, string[]>;
}

interface Entry {
  name: string;
  lang: string | null;
  args: string[];
  values: string[];
  line: number;
}

/** Splits the text into keyword entries; DATA stays as raw text for the number reader. */
function entries(text: string): { list: Entry[]; data: { raw: string; line: number } | null } {
  const list: Entry[] = [];
  let i = 0;
  let line = 1;
  const n = text.length;
  const skipSpace = () => {
    while (i < n && /\s/.test(text[i])) {
      if (text[i] === '\n') line++;
      i++;
    }
  };
  const readQuoted = (): string => {
    const start = line;
    i++; // opening quote
    let out = '';
    while (i < n && text[i] !== '"') {
      if (text[i] === '\n') line++;
      out += text[i];
      i++;
    }
    if (i >= n) throw new PxError(start, '引號未結束（缺少結尾的 "）', 'unterminated string (missing closing ")');
    i++;
    return out;
  };
  while (true) {
    skipSpace();
    if (i >= n) break;
    const start = line;
    let name = '';
    while (i < n && /[A-Za-z0-9_-]/.test(text[i])) name += text[i++];
    if (!name) throw new PxError(line, `無法辨識的內容「${text.slice(i, i + 20)}」，應為關鍵字`, `unexpected "${text.slice(i, i + 20)}" where a keyword should start`);
    let lang: string | null = null;
    if (text[i] === '[') {
      const close = text.indexOf(']', i);
      if (close < 0) throw new PxError(line, `關鍵字 ${name} 的語言標記未結束`, `keyword ${name}: unterminated [language]`);
      lang = text.slice(i + 1, close).trim();
      i = close + 1;
    }
    const args: string[] = [];
    if (text[i] === '(') {
      i++;
      while (i < n && text[i] !== ')') {
        skipSpace();
        if (text[i] === '"') args.push(readQuoted());
        else if (text[i] === ',') i++;
        else if (text[i] !== ')') {
          let bare = '';
          while (i < n && text[i] !== ',' && text[i] !== ')') bare += text[i++];
          args.push(bare.trim());
        }
      }
      i++;
    }
    skipSpace();
    if (text[i] !== '=') throw new PxError(line, `關鍵字 ${name} 後缺少「=」`, `keyword ${name}: "=" expected`);
    i++;
    if (name.toUpperCase() === 'DATA') {
      // DATA is the last keyword: the rest of the file. Some writers end every row with ";"
      // (INE's 14001.px), so semicolons inside DATA are separators, not the end.
      return { list, data: { raw: text.slice(i), line } };
    }
    // Value: quoted strings (adjacent ones concatenate, commas separate list items), bare tokens, TLIST(...).
    const values: string[] = [];
    let current: string | null = null;
    while (true) {
      skipSpace();
      if (i >= n) throw new PxError(start, `關鍵字 ${name} 的值缺少結尾的「;」`, `keyword ${name}: value not ended by ";"`);
      const c = text[i];
      if (c === ';') {
        i++;
        break;
      }
      if (c === ',') {
        values.push(current ?? '');
        current = null;
        i++;
      } else if (c === '"') current = (current ?? '') + readQuoted();
      else {
        let bare = '';
        let depth = 0;
        while (i < n && (depth > 0 || !/[;,\s]/.test(text[i]))) {
          if (text[i] === '(') depth++;
          if (text[i] === ')') depth--;
          if (text[i] === '\n') line++;
          bare += text[i++];
        }
        current = (current ?? '') + bare;
      }
    }
    if (current !== null) values.push(current);
    list.push({ name: name.toUpperCase(), lang, args, values, line: start });
  }
  return { list, data: null };
}

/** The missing-value symbols of the PX specification (and the dashes agencies use for "none"). */
const MISSING_SYMBOLS = new Set(['.', '..', '...', '....', '.....', '......', '-', '"-"']);

/**
 * Reads a PC-Axis file from its bytes. Throws PxError naming the line and what is wrong (in
 * zh-TW and English) when the file cannot be read as a cube.
 */
export function readPx(bytes: Uint8Array): PxCube {
  const detected = detectEncoding(bytes.subarray(0, 1 << 20), { complete: bytes.length <= 1 << 20 });
  // CODEPAGE, when declared, is read from the ASCII header; the bytes win when they disagree
  // clearly (the twstat files say ANSI but are UTF-8).
  const head = Buffer.from(bytes.subarray(0, 4096)).toString('latin1');
  const declaredCharset = /CHARSET\s*=\s*"([^"]*)"/i.exec(head)?.[1] ?? null;
  const declaredCodepage = /CODEPAGE\s*=\s*"([^"]*)"/i.exec(head)?.[1] ?? null;
  const declared = declaredCodepage ? parseDeclaredEncoding(declaredCodepage.replace(/^iso-8859-15$/i, 'ISO-8859-1')) : undefined;
  const used: Encoding = detected.confidence >= 50 || !declared ? detected.encoding : declared;
  const text = decode(bytes, used);

  const { list, data } = entries(text);
  const keywords = new Map<string, string[]>();
  for (const e of list) keywords.set(`${e.name}${e.lang ? `[${e.lang}]` : ''}${e.args.length ? `(${e.args.join(',')})` : ''}`, e.values);
  const get = (name: string, args: string[] = []): Entry | undefined => list.find((e) => e.name === name && e.lang === null && e.args.length === args.length && e.args.every((a, k) => a === args[k]));
  const one = (name: string): string | null => get(name)?.values.join('') ?? null;

  const stub = get('STUB')?.values ?? [];
  const heading = get('HEADING')?.values ?? [];
  if (stub.length + heading.length === 0) throw new PxError(1, '缺少 STUB 與 HEADING：無法得知表格的維度', 'no STUB or HEADING: the table has no dimensions');
  const dimensions: PxDimension[] = [...stub, ...heading].map((dim) => {
    const v = get('VALUES', [dim]);
    if (!v) throw new PxError(get('STUB')?.line ?? 1, `維度「${dim}」缺少 VALUES("${dim}")`, `dimension "${dim}" has no VALUES("${dim}")`);
    const codes = get('CODES', [dim])?.values;
    const time = get('TIMEVAL', [dim]) !== undefined || /^(年|年別|年度|期間|時間|年月|月別|季別|time|year|period|jahr|année|anno)/i.test(dim.trim());
    return { name: dim, values: v.values.map((x) => x.trim()), codes: codes?.map((x) => x.trim()), time };
  });

  if (!data) throw new PxError(list.at(-1)?.line ?? 1, '缺少 DATA=：檔案沒有資料', 'no DATA=: the file has no data');
  const cells: (number | null)[] = [];
  const missing = new Map<number, string>();
  const tokens = data.raw.match(/"[^"]*"|[^\s,";]+/g) ?? [];
  for (const t of tokens) {
    const symbol = t.startsWith('"') ? t.slice(1, -1) : t;
    if (MISSING_SYMBOLS.has(symbol) || symbol === '') {
      missing.set(cells.length, symbol);
      cells.push(null);
      continue;
    }
    const v = Number(symbol);
    if (!Number.isFinite(v)) {
      throw new PxError(data.line, `DATA 的第 ${cells.length + 1} 個值「${symbol.slice(0, 30)}」不是數字，也不是缺值符號（. .. ... -）`, `DATA value ${cells.length + 1}, "${symbol.slice(0, 30)}", is neither a number nor a missing-value symbol (. .. ... -)`);
    }
    cells.push(v);
  }
  const expected = dimensions.reduce((p, d) => p * d.values.length, 1);
  if (cells.length !== expected) {
    const shape = dimensions.map((d) => `${d.name.trim()} ${d.values.length}`).join(' × ');
    throw new PxError(data.line, `DATA 有 ${cells.length} 個值，但維度（${shape}）需要 ${expected} 個`, `DATA has ${cells.length} values but the dimensions (${shape}) need ${expected}`);
  }

  const warnings: string[] = [];
  const damaged = text.indexOf('\uFFFD');
  if (damaged >= 0) {
    const at = text.slice(0, damaged).split('\n').length;
    warnings.push(`第 ${at} 行起有無法辨識的字元（�），檔案在交給本平臺前已經損毀 / from line ${at} the text has replacement characters (�): the file was damaged before it reached the portal`);
  }
  if (declaredCharset?.toUpperCase() === 'ANSI' && (used === 'UTF-8' || used === 'UTF-16LE' || used === 'UTF-16BE') && !detected.asciiOnly) {
    warnings.push(`檔案宣告 CHARSET="ANSI"，實際為 ${used} / the file declares CHARSET="ANSI" but is ${used}`);
  }
  const decimals = one('DECIMALS');
  const notes = [...(get('NOTE')?.values ?? []), ...(get('NOTEX')?.values ?? [])].map((s) => s.trim()).filter(Boolean);
  return {
    encoding: { declaredCharset, declaredCodepage, detected, used },
    language: one('LANGUAGE'),
    languages: get('LANGUAGES')?.values ?? [],
    matrix: one('MATRIX'),
    title: one('TITLE'),
    contents: one('CONTENTS'),
    units: one('UNITS')?.trim() ?? null,
    decimals: decimals !== null && /^\d+$/.test(decimals) ? Number(decimals) : null,
    source: one('SOURCE'),
    notes,
    lastUpdated: one('LAST-UPDATED'),
    dimensions,
    stubCount: stub.length,
    data: cells,
    missing,
    warnings,
    keywords,
  };
}

/**
 * The cube as a long table: one row per cell, one column per dimension then the value. Streams
 * row by row (a generator), so a large cube never becomes one big array of rows.
 */
export function* pxRows(cube: PxCube): Generator<[...string[], number | null]> {
  const sizes = cube.dimensions.map((d) => d.values.length);
  const index = sizes.map(() => 0);
  for (let cell = 0; cell < cube.data.length; cell++) {
    yield [...cube.dimensions.map((d, k) => d.values[index[k]]), cube.data[cell]];
    for (let k = sizes.length - 1; k >= 0; k--) {
      index[k]++;
      if (index[k] < sizes[k]) break;
      index[k] = 0;
    }
  }
}
