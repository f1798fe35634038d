import { readFileSync } from 'node:fs';
import iconv from 'iconv-lite';
import { describe, expect, it } from 'vitest';
import { testdata } from '../../../test/helpers/env.ts';
import { PxError, pxRows, readPx } from './pcaxis.ts';

const PX = [
  'CHARSET="ANSI";',
  'MATRIX="CPI01";',
  'TITLE="消費者物價指數 依 年別 與 項目";',
  'CONTENTS="消費者物價指數";',
  'UNITS="指數";',
  'DECIMALS=2;',
  'STUB="年別";',
  'HEADING="項目";',
  'VALUES("年別")=" 111年"," 112年",',
  '" 113年";',
  'VALUES("項目")="總指數","食物類";',
  'CODES("項目")="0","1";',
  // A long value continues on the next line as another quoted string; they join.
  'NOTE="本表資料來源：行政院主計總處，"',
  '"物價統計。";',
  'DATA=',
  '102.95 105.31',
  '105.51 "."',
  '107.77 "-";',
].join('\r\n');

describe('readPx on a made-up Big5 cube', () => {
  const cube = readPx(iconv.encode(PX, 'big5hkscs'));

  it('reads the header keywords, dimensions (stub then heading) and codes', () => {
    expect(cube.encoding).toMatchObject({ declaredCharset: 'ANSI', used: 'Big5' });
    expect(cube).toMatchObject({ matrix: 'CPI01', title: '消費者物價指數 依 年別 與 項目', units: '指數', decimals: 2, stubCount: 1 });
    expect(cube.notes).toEqual(['本表資料來源：行政院主計總處，物價統計。']);
    expect(cube.dimensions).toEqual([
      { name: '年別', values: ['111年', '112年', '113年'], codes: undefined, time: true },
      { name: '項目', values: ['總指數', '食物類'], codes: ['0', '1'], time: false },
    ]);
  });

  it('reads the data with missing-value symbols, and lays it out as rows (last heading fastest)', () => {
    expect(cube.data).toEqual([102.95, 105.31, 105.51, null, 107.77, null]);
    expect([...cube.missing]).toEqual([[3, '.'], [5, '-']]);
    expect([...pxRows(cube)]).toEqual([
      ['111年', '總指數', 102.95],
      ['111年', '食物類', 105.31],
      ['112年', '總指數', 105.51],
      ['112年', '食物類', null],
      ['113年', '總指數', 107.77],
      ['113年', '食物類', null],
    ]);
  });

  it('refuses broken files naming the line and the problem', () => {
    const err = (text: string) => {
      try {
        readPx(Buffer.from(text));
      } catch (e) {
        return e as PxError;
      }
      throw new Error('no error');
    };
    const short = err(PX.replace('107.77 "-";', ';'));
    expect(short).toBeInstanceOf(PxError);
    expect(short.message).toBe('第 15 行：DATA 有 4 個值，但維度（年別 3 × 項目 2）需要 6 個 / line 15: DATA has 4 values but the dimensions (年別 3 × 項目 2) need 6');
    expect(err(PX.replace('105.51 "."', '105.51 abc')).en).toBe('DATA value 4, "abc", is neither a number nor a missing-value symbol (. .. ... -)');
    expect(err(PX.replace('VALUES("項目")="總指數","食物類";\r\n', '')).en).toBe('dimension "項目" has no VALUES("項目")');
    expect(err('TITLE="x;\nDATA=1;').en).toBe('unterminated string (missing closing ")');
    expect(err('TITLE="x";\nSTUB="a";\nVALUES("a")="1";\n').en).toBe('no DATA=: the file has no data');
  });
});

/** Real cubes: what a statistician opening each one would say about it. */
describe('readPx on the real-world corpus', () => {
  const read = (file: string) => {
    const p = testdata(file);
    return p ? readPx(readFileSync(p)) : undefined;
  };

  it('DGBAS 縣市重要統計指標: UTF-8 although CHARSET="ANSI", 指標 × 期間 × 縣市, "." as missing', (ctx) => {
    const c = read('pcaxis-twstat/county-utf8/01-1.px');
    if (!c) return ctx.skip();
    expect(c.encoding).toMatchObject({ declaredCharset: 'ANSI', used: 'UTF-8' });
    expect(c.warnings).toContain('檔案宣告 CHARSET="ANSI"，實際為 UTF-8 / the file declares CHARSET="ANSI" but is UTF-8');
    expect(c.matrix).toBe('CS2871N1A');
    expect(c.dimensions.map((d) => [d.name, d.values.length, d.time])).toEqual([['指標', 7, false], ['期間', 17, true], ['縣市', 24, false]]);
    expect(c.dimensions[2].codes?.slice(0, 3)).toEqual(['70', '71', '65000']);
    expect(c.data).toHaveLength(7 * 17 * 24);
    expect(pxRows(c).next().value).toEqual(['土地面積', '1998', '總計', 36188.0354]);
    expect(c.missing.size).toBeGreaterThan(0);
  });

  it('Taipei city PX in Big5/CP950 with ROC year labels (the one with F9DB reads as CP950)', (ctx) => {
    const c = read('pcaxis-twstat/town-TPE/PH00265YA.px');
    const b = read('pcaxis-twstat/town-TPE/AG00112YA.px');
    if (!c || !b) return ctx.skip();
    expect(c.encoding.used).toBe('CP950');
    expect(c.title).toBe('臺北市藥政管理與服務-年');
    expect(c.dimensions[0]).toMatchObject({ name: '年別', time: true });
    expect(c.dimensions[0].values.slice(0, 2)).toEqual(['63年', '64年']);
    expect(c.data).toHaveLength(38 * 12);
    expect(b.encoding.used).toBe('Big5');
    expect(pxRows(b).next().value).toEqual(['57年', '耕地面積/總計(公頃)', 7018.7]);
  });

  it('INE 14001.px: Latin-1, and a semicolon after every data row is accepted', (ctx) => {
    const c = read('pcaxis-other/pyaxis/14001.px');
    if (!c) return ctx.skip();
    expect(c.encoding.used).toBe('ISO-8859-1');
    expect(c.data).toHaveLength(21 * 48 * 2 * 4);
    expect(c.dimensions[0].name).toBe('Comunidad Autónoma de residencia del matrimonio');
  });

  it('Swiss FSO multilingual cube: de by default, the other languages kept', (ctx) => {
    const c = read('pcaxis-other/pyaxis/px-x-0602000000_107.px');
    if (!c) return ctx.skip();
    expect(c.language).toBe('de');
    expect(c.languages).toEqual(['de', 'fr', 'it', 'en']);
    expect(c.keywords.get('TITLE[en]')?.[0]).toMatch(/^Businesses by difficulties in recruiting staff/);
    expect(c.data).toHaveLength(20 * 4 * 5 * 2 * 76);
  });

  it('1001.px: text damaged before publication (U+FFFD) is read, with a warning naming the line', (ctx) => {
    const c = read('pcaxis-other/pyaxis/1001.px');
    if (!c) return ctx.skip();
    expect(c.data).toHaveLength(7 * 3 * 24);
    expect(c.warnings.some((w) => /^第 \d+ 行起有無法辨識的字元/.test(w))).toBe(true);
  });
});
