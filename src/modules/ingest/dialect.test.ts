import { readFileSync } from 'node:fs';
import { parse } from 'csv-parse/sync';
import iconv from 'iconv-lite';
import { describe, expect, it } from 'vitest';
import { testdata } from '../../../test/helpers/env.ts';
import { decideHeader, detectLayout, HeaderChoiceError, parseHeaderChoice, sniffDialect, type Dialect } from './dialect.ts';
import { decode, detectEncoding } from './encoding.ts';

const records = (text: string, d: Dialect): string[][] => parse(text, { delimiter: d.delimiter, record_delimiter: d.lineEnd, relax_column_count: true, relax_quotes: true, bom: true });

describe('sniffDialect', () => {
  it('finds comma, semicolon, tab and pipe, and the line ends', () => {
    expect(sniffDialect('a,b,c\n1,2,3\n4,5,6\n')).toMatchObject({ delimiter: ',', lineEnd: '\n', width: 3, consistency: 1 });
    expect(sniffDialect('a;b;c\r\n1,5;2;3\r\n4;5,5;6\r\n')).toMatchObject({ delimiter: ';', lineEnd: '\r\n', width: 3 });
    expect(sniffDialect('a\tb\n1\t2\n')).toMatchObject({ delimiter: '\t', width: 2 });
    expect(sniffDialect('a|b|c\r1|2|3\r')).toMatchObject({ delimiter: '|', lineEnd: '\r' });
    // Quoted delimiters and newlines inside fields do not count.
    expect(sniffDialect('name,note\n"王, 小明","第一行\n第二行"\n"李;四",ok\n')).toMatchObject({ delimiter: ',', width: 2, consistency: 1 });
  });
});

describe('detectLayout', () => {
  it('finds title rows above the header and notes below a DGBAS-style Big5 table', () => {
    const text = [
      '表1　消費者物價指數,,,',
      '單位：指數（民國105年=100）,,,',
      '年月,總指數,食物類,居住類',
      '113年1月,105.12,110.3,102.4',
      '113年2月,106.01,112.8,102.5',
      '113年3月,105.60,111.0,102.6',
      '註：本表資料自民國70年起。,,,',
      '資料來源：行政院主計總處。,,,',
    ].join('\r\n');
    const buf = iconv.encode(text, 'big5hkscs');
    const enc = detectEncoding(buf, { complete: true });
    expect(enc.encoding).toBe('Big5');
    const decoded = decode(buf, enc.encoding);
    const d = sniffDialect(decoded);
    const recs = records(decoded, d);
    expect(detectLayout(recs)).toEqual({ headerRow: 2, titleRows: [0, 1], dataEnd: 6, noteRows: [6, 7], raggedRows: [], blankRows: [] });
    expect(recs[2]).toEqual(['年月', '總指數', '食物類', '居住類']);
  });

  it('reports blank and ragged rows inside the data without dropping them', () => {
    const recs = records('id,name,age\n1,a,3\n,,\n2,b\n3,c,5\n', { delimiter: ',', lineEnd: '\n', width: 3, consistency: 1 });
    expect(detectLayout(recs)).toMatchObject({ headerRow: 0, blankRows: [2], raggedRows: [3], noteRows: [] });
  });
});

/** Real files, with what a person opening them sees: delimiter, header row, titles above, notes below. */
const CORPUS: [file: string, delimiter: string, headerRow: number, header0: string, notes: number][] = [
  ['messy-messytables/excel_pasting.csv', ',', 3, 'Year', 2],
  ['messy-messytables/simple.psv', '|', 0, 'Year', 0],
  ['messy-messytables/simple.ssv', ';', 0, 'date', 0],
  ['messy-messytables/example.tsv', '\t', 0, 'hour', 0],
  ['messy-messytables/mixedGLB.csv', ',', 3, 'Year', 0],
  ['messy-messytables/characters.csv', ',', 0, 'id', 0],
  ['messy-frictionless/issue-1009-semicolon.csv', ';', 0, 'fieldNameA', 0],
  ['messy-frictionless/skip-rows-before-headers.csv', ',', 1, 'id', 0],
  ['messy-ckan-xloader/german_sample.csv', ';', 0, 'Stadtname', 0],
  ['messy-csvkit/mac_newlines.csv', ',', 0, 'a', 0],
  ['tw-gov-misc/636485953864564217.csv', ',', 0, '主管機關', 0],
  ['pcaxis-twstat/county-csv/01.csv', ',', 0, '年度', 0],
];

describe('dialect and layout of real files', () => {
  for (const [file, delimiter, headerRow, header0, notes] of CORPUS) {
    it(`${file}: ${JSON.stringify(delimiter)}, header on row ${headerRow + 1} starting "${header0}", ${notes} note rows`, (ctx) => {
      const p = testdata(file);
      if (!p) return ctx.skip();
      const buf = readFileSync(p);
      const text = decode(buf, detectEncoding(buf, { complete: true }).encoding);
      const d = sniffDialect(text.slice(0, 65536));
      expect(d.delimiter).toBe(delimiter);
      const layout = detectLayout(records(text, d));
      expect(layout.headerRow).toBe(headerRow);
      expect(records(text, d)[layout.headerRow][0]).toBe(header0);
      expect(layout.noteRows).toHaveLength(notes);
    });
  }
});

describe('decideHeader and parseHeaderChoice: report layouts refused, header lines chosen', () => {
  const decide = (rows: string[][], choice?: string) => decideHeader(rows, detectLayout(rows), (i) => i + 1, parseHeaderChoice(choice));

  it('reads the header choice as a clerk writes it, and says how when it cannot', () => {
    expect(parseHeaderChoice('4')).toEqual({ line: 4, count: 1 });
    expect(parseHeaderChoice(' 4 - 6 ')).toEqual({ line: 4, count: 3 });
    expect(parseHeaderChoice('4～5')).toEqual({ line: 4, count: 2 });
    expect(parseHeaderChoice('')).toBeUndefined();
    for (const bad of ['0', '6-4', 'four', '1-20', '4,5']) expect(() => parseHeaderChoice(bad), bad).toThrow(HeaderChoiceError);
  });

  it('a first line of numbers is data: no header, columns named 欄位1…', () => {
    const v = decide([['1', '2', 'null'], ['3', '4', '5']]);
    expect(v).toMatchObject({ headerless: true, first: -1, names: ['欄位1', '欄位2', '欄位3'] });
    // Numbers and missing marks as the value readers know them: full-width digits, grouping, 「－」.
    expect(decide([['１２', '1,234', '－'], ['3', '4', '5']]).headerless).toBe(true);
  });

  it('years as column names are a header, not a refusal', () => {
    expect(decide([['Year', '2000', '2001'], ['Timber', '2,666', '2,274']]).refusal).toBeUndefined();
    expect(decide([['縣市', '112年', '113年'], ['臺北市', '1', '2']]).refusal).toBeUndefined();
  });

  it('a header of numbers that are not years is refused, with what to do', () => {
    const v = decide([['總計', '918168179', '264043891'], ['a', '1', '2'], ['b', '3', '4']]);
    expect(v.refusal?.en).toMatch(/printed report rather than a table: line 1 was taken as the header but most of its cells are numbers \(918168179, 264043891…\).*e\.g\. "4-6"/);
    expect(v.refusal?.zh).toMatch(/報表版面/);
  });

  it('a table printed in blocks side by side is refused', () => {
    const rows = [['科目', '金額', '科目', '金額'], ['稅課收入', '1', '稅課收入', '2'], ['規費收入', '3', '規費收入', '4'], ['罰款收入', '5', '罰款收入', '6']];
    expect(decide(rows).refusal?.en).toMatch(/column 3 repeats the heading and values of column 1 \("科目"\)/);
    // Repeated names with different values (frictionless duplicate-headers) are only renamed later.
    expect(decide([['id', 'name', 'id'], ['1', 'a', '0'], ['2', 'b', '0'], ['3', 'c', '0']]).refusal).toBeUndefined();
  });

  it('chosen header lines are joined per column; a merged upper cell names the columns under it; spaced-out CJK is closed up', () => {
    const rows = [['表一 收支', '', '', ''], ['', '本 年 度', '', '上年度'], ['項　　目', '金額', '%', '金額'], ['所得', '100', '50', '90']];
    const v = decide(rows, '2-3');
    expect(v.names).toEqual(['項目', '本年度 金額', '本年度 %', '上年度 金額']);
    expect(v).toMatchObject({ first: 1, last: 2, titleRows: [0], headerless: false });
    expect(() => decide(rows, '4')).toThrow(/no data after the chosen header/);
  });
});
