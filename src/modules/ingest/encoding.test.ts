import { readFileSync } from 'node:fs';
import iconv from 'iconv-lite';
import { describe, expect, it } from 'vitest';
import { testdata } from '../../../test/helpers/env.ts';
import { declarationFits, decode, detectEncoding, firstInvalidUtf8, parseDeclaredEncoding, type Encoding } from './encoding.ts';

const detect = (buf: Uint8Array, complete = true) => detectEncoding(buf, { complete });

describe('detectEncoding on made-up bytes', () => {
  const zh = '行政院主計總處，消費者物價指數（民國113年1月）';

  it('recognises the byte-order marks and strips them when decoding', () => {
    for (const [enc, buf] of [
      ['UTF-8', Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(zh)])],
      ['UTF-16LE', Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(zh, 'utf16le')])],
      ['UTF-16BE', Buffer.concat([Buffer.from([0xfe, 0xff]), Buffer.from(zh, 'utf16le').swap16()])],
    ] as const) {
      const g = detect(buf);
      expect(g).toMatchObject({ encoding: enc, bom: true, confidence: 100 });
      expect(decode(buf, g.encoding)).toBe(zh);
    }
  });

  it('finds UTF-16 without a BOM by its zero bytes', () => {
    const text = 'year,value\n2024,1.5\n2025,2.0\n';
    expect(detect(Buffer.from(text, 'utf16le')).encoding).toBe('UTF-16LE');
    expect(detect(Buffer.from(text, 'utf16le').swap16()).encoding).toBe('UTF-16BE');
  });

  it('says ASCII-only files are UTF-8 and fit any ASCII-compatible declaration', () => {
    const g = detect(Buffer.from('a,b\n1,2\n'));
    expect(g).toMatchObject({ encoding: 'UTF-8', asciiOnly: true });
    expect(declarationFits('Big5', g)).toBe(true);
    expect(declarationFits('UTF-16LE', g)).toBe(false);
  });

  it('forgives a UTF-8 character cut at the end of a sample, not of a whole file', () => {
    const buf = Buffer.from(`${zh}\n`.repeat(3));
    const cut = buf.subarray(0, buf.length - 3).subarray(0, 20); // ends inside 主 (3 bytes)
    expect(firstInvalidUtf8(cut, false)).toBe(-1);
    expect(firstInvalidUtf8(cut, true)).toBeGreaterThan(0);
    expect(detect(cut, false)).toMatchObject({ encoding: 'UTF-8', evidence: 'valid UTF-8' });
  });

  it('tells Big5 from CP950 (ETEN F9D6–F9FE) and Big5-HKSCS, naming the byte pair', () => {
    const text = `${zh}\n`.repeat(20);
    const big5 = iconv.encode(text, 'big5hkscs');
    expect(detect(big5)).toMatchObject({ encoding: 'Big5' });
    expect(decode(big5, 'Big5')).toBe(text);
    // 碁 is F9D6 in CP950 (ETEN), absent from strict Big5.
    const cp950 = Buffer.concat([big5, iconv.encode('碁\n', 'big5hkscs')]);
    expect(cp950.subarray(-3, -1)).toEqual(Buffer.from([0xf9, 0xd6]));
    const g = detect(cp950);
    expect(g.encoding).toBe('CP950');
    expect(g.evidence).toBe(`ETEN/CP950 extension byte pair F9D6 at byte ${big5.length}`);
    expect(decode(cp950, g.encoding)).toBe(`${text}碁\n`);
    expect(declarationFits('Big5', g)).toBe(true);
  });

  it('recognises GB18030 (simplified Chinese) rather than calling it Big5', () => {
    const text = '国家统计局发布的居民消费价格指数，按月统计，单位为百分比。\n'.repeat(20);
    const g = detect(iconv.encode(text, 'gb18030'));
    expect(g.encoding).toBe('GB18030');
    expect(declarationFits('Big5', g)).toBe(false);
  });

  it('reads a few Latin-1 letters as Latin-1, and bytes 80–9F as windows-1252', () => {
    expect(detect(Buffer.from('name,city\nJosé,São Paulo\nRené,Zürich\n', 'latin1')).encoding).toBe('ISO-8859-1');
    expect(detect(iconv.encode('quote,text\n1,“smart” quotes – here\n2,more “quotes”\n', 'windows-1252')).encoding).toBe('windows-1252');
  });
});

describe('declared encodings', () => {
  it('understands how clerks write 編碼格式', () => {
    const cases: [string, Encoding | undefined][] = [
      ['UTF-8', 'UTF-8'], ['utf8', 'UTF-8'], ['BIG5', 'Big5'], ['BIG-5', 'Big5'], ['big5', 'Big5'], ['CP950', 'CP950'], ['MS950', 'CP950'],
      ['Unicode', 'UTF-16LE'], ['GBK', 'GB18030'], ['ISO-8859-1', 'ISO-8859-1'], ['其他', undefined], ['', undefined],
    ];
    for (const [text, enc] of cases) expect(parseDeclaredEncoding(text), text).toBe(enc);
  });
});

/**
 * The real files in ../shared/testdata, with what a careful person who opened each one would say
 * its encoding is (SOURCES.md describes them; the notes say why where it is not obvious).
 */
const CORPUS: [file: string, encoding: Encoding, note?: string][] = [
  ['messy-messytables/characters.csv', 'Big5', 'Taiwan Tourism Bureau attractions'],
  ['pcaxis-twstat/town-TPE/PH00265YA.px', 'CP950', 'contains F9DB (ETEN): decodes as CP950, not strict Big5'],
  ['pcaxis-twstat/town-TPE/AG00112DA.px', 'Big5'],
  ['pcaxis-twstat/town-KHH.new/AG000701A.px', 'Big5'],
  ['pcaxis-twstat/town-JME/AG0038A1A.px', 'Big5'],
  ['pcaxis-twstat/town-TXG.new/DAG001A.px', 'Big5'],
  ['datagovtw-catalogue/city-portals/yilan.2018.03.20.OpenData.csv', 'CP950', '嫺 = F9DC'],
  ['pcaxis-twstat/county-utf8/01-1.px', 'UTF-8', 'UTF-8 bytes although the header says CHARSET="ANSI"'],
  ['tw-gov-misc/636485953864564217.csv', 'UTF-8', 'with BOM'],
  ['datagovtw-catalogue/data_title.txt', 'UTF-8'],
  ['messy-messytables/utf-16le_encoded.csv', 'UTF-16LE'],
  ['messy-csvkit/test_utf16_big.csv', 'UTF-16BE'],
  ['messy-csvkit/test_utf16_little.csv', 'UTF-16LE'],
  ['messy-csvkit/test_utf8_bom.csv', 'UTF-8'],
  ['messy-csvkit/test_latin1.csv', 'ISO-8859-1', 'a single © byte (A9): too little for anything but Latin-1'],
  ['pcaxis-other/pyaxis/14001.px', 'ISO-8859-1', 'strict Big5 decoding also succeeds on it — a false positive to avoid'],
  ['messy-frictionless/table-with-accents.csv', 'ISO-8859-1', 'also decodes as Big5 by accident'],
  ['messy-frictionless/latin1.csv', 'ISO-8859-1'],
  ['messy-messytables/spanish_chars.csv', 'ISO-8859-1'],
  ['messy-ckan-xloader/non_utf8_sample.csv', 'ISO-8859-1'],
  ['messy-frictionless/table-infer-iso-8859-7.csv', 'ISO-8859-7', 'Greek'],
];

describe('detectEncoding on the real-world corpus', () => {
  for (const [file, expected, note] of CORPUS) {
    it(`${file} is ${expected}${note ? ` (${note})` : ''}`, (ctx) => {
      const p = testdata(file);
      if (!p) return ctx.skip();
      const buf = readFileSync(p);
      const g = detectEncoding(buf.subarray(0, 1 << 20), { complete: buf.length <= 1 << 20 });
      expect(g.encoding).toBe(expected);
      // Decoding in the detected encoding never produces U+FFFD for these files.
      if (expected !== 'UTF-8' || !g.evidence.includes('invalid')) expect(decode(buf, g.encoding)).not.toContain('\uFFFD');
    });
  }

  it('a mostly-UTF-8 file with damaged bytes is UTF-8, with the first bad byte named', (ctx) => {
    const p = testdata('dgbas-city-budget/97年度縣市總預算彙編_收支簡明比較分析表.csv');
    if (!p) return ctx.skip();
    const g = detectEncoding(readFileSync(p), { complete: true });
    expect(g.encoding).toBe('UTF-8');
    expect(g.confidence).toBeLessThan(100);
    expect(g.evidence).toMatch(/^UTF-8 with an invalid byte [0-9A-F]{2} at byte \d+$/);
  });

  it('the Big5 attractions file decodes to the expected Chinese', (ctx) => {
    const p = testdata('messy-messytables/characters.csv');
    if (!p) return ctx.skip();
    const text = decode(readFileSync(p), 'Big5');
    expect(text.split(/\r?\n/, 1)[0]).toBe('id,景點編號,景點中文名稱,景點特色詳細文字簡述,開放時間,景點之管理權責單位代碼,X坐標,Y坐標,景點分類代碼1,Changetime,地址,景點服務電話,停車資訊,主要停車場X坐標,主要停車場Y坐標,票價及相關價格資料,警告及注意事項,常用搜尋關鍵字');
    expect(text).toContain('v_1,C1_395000000A_000001,雲嘉南濱海國家風景區管理處,');
    expect(text).not.toContain('\uFFFD');
  });
});
