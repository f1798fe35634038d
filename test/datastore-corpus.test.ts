import { createReadStream, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { engines, makeEnv, testdata, type TestEnv } from './helpers/env.ts';

/**
 * Every table-like file of the real-world corpus (../shared/testdata: messy-*, dgbas-*, pcaxis-*,
 * tw-gov-misc, and the JSON of catalogue-datajson) goes through the datastore: it loads, or it is
 * refused with a message in zh-TW and English — never a crash, never a half-made table. For the
 * files below, what a careful person who opened them expects, written down file by file.
 */
const EXPECT: Record<string, { rows?: number; types?: Record<string, string>; refused?: RegExp; warns?: RegExp }> = {
  'messy-messytables/characters.csv': { rows: 382, types: { 景點中文名稱: 'text', X坐標: 'decimal' } }, // Big5, multi-line quoted fields
  'messy-messytables/excel_pasting.csv': { rows: 14, types: { 2000: 'integer' }, warns: /skipped the title row "CO2 emissions/ }, // title rows, thousands separators, notes
  'messy-messytables/mixedGLB.csv': { rows: 133, types: { Year: 'integer', Jan: 'integer' } }, // CR-only line ends
  'messy-messytables/simple.psv': { rows: 28, types: { Year: 'integer' } }, // pipes
  'messy-messytables/simple.ssv': { rows: 6, types: { date: 'date', temperature: 'integer' } }, // semicolons
  'messy-messytables/utf-16le_encoded.csv': { rows: 327, types: { Reporting_period: 'date' } },
  'messy-messytables/spanish_chars.csv': { rows: 114 }, // Latin-1
  'messy-frictionless/leading-zeros.csv': { rows: 3, types: { value: 'text' } }, // 01, 002, 00003: codes, zeros kept
  'messy-frictionless/duplicate-headers.csv': { rows: 2, types: { id_2: 'integer' }, warns: /header "id" repeats/ },
  'messy-frictionless/blank-headers.csv': { rows: 2, warns: /column 2 has no header/ },
  'messy-frictionless/skip-rows-before-headers.csv': { rows: 2, types: { id: 'integer' } },
  'messy-frictionless/defective-rows.csv': { rows: 2, warns: /fields, the header 3/ },
  'messy-frictionless/empty.csv': { refused: /the file is empty/ },
  'messy-csvkit/null_byte.csv': { refused: /NUL bytes/ },
  'messy-csvkit/test_utf16_big.csv': { rows: 2, types: { a: 'integer' } },
  'messy-ckan-xloader/german_sample.csv': { rows: 7, types: { Stadtname: 'text' } },
  'messy-ckan-xloader/non_utf8_sample.csv': { rows: 266, types: { Amount: 'decimal' } },
  'tw-gov-misc/636485953864564217.csv': { rows: 168, types: { 收容所名稱: 'text' } }, // UTF-8 BOM, TWD97
  'pcaxis-twstat/county-csv/01.csv': { rows: 408, types: { 年度: 'integer', 縣市: 'text' } },
  'pcaxis-twstat/county-utf8/01-1.px': { rows: 7 * 17 * 24, types: { 指標: 'text', 期間: 'integer', 數值: 'decimal' } },
  'pcaxis-twstat/town-TPE/PH00265YA.px': { rows: 38 * 12, types: { 年別: 'date', 數值: 'integer' } }, // CP950, ROC years
  'pcaxis-other/pyaxis/14001.px': { rows: 21 * 48 * 2 * 4 },
  'dgbas-nstatdb/A020001010.json': { rows: 504, types: { 統計期: 'date', 數值: 'decimal' } },
  'dgbas-nstatdb/A030102010.json': { rows: 9054, types: { 數值: 'decimal' } },
  // kiang's CSV conversions of the DGBAS budget workbooks are printed reports, not tables: titles
  // over many rows, headers split over lines and cells, control bytes. Refused, saying why and what to do.
  'dgbas-city-budget/102年度直轄市及縣市總預算彙編_歲入歲出性質及餘絀簡明比較分析表.csv': { refused: /printed report rather than a table: line \d+ was taken as the header but most of its cells are numbers \(918168179/ },
  'dgbas-city-budget/103年度直轄市及縣市總預算彙編_收支簡明比較分析表.csv': { refused: /printed report .* \(1274053610/ },
  'dgbas-city-budget/103年度直轄市及縣市總預算彙編_歲入來源別預算總表.csv': { refused: /printed report .*most of its cells are numbers \(1, 2, 3/ },
  'dgbas-city-budget/103年度直轄市及縣市總預算彙編_歲出政事別預算總表.csv': { refused: /printed in blocks side by side \(continued tables\): column 5 repeats the heading and values of column 1 \("項"\)/ },
  'dgbas-city-budget/90年度縣市總預算彙編_融資調度比較分析表.csv': { refused: /printed report .*\(23642510/ },
  'dgbas-city-budget/97年度縣市總預算彙編_收支簡明比較分析表.csv': { refused: /printed report .*\(582453731/ },
  'dgbas-city-budget/99年度縣市總預算彙編_歲出政事別預算總表.csv': { refused: /printed report .*\(1, 2, 3/ },
  // The original workbooks: the summary sheets load (spaced-out headings read as meant); the
  // wide ones printed as pages side by side, repeating the 科目 column, are refused.
  'dgbas-city-budget/src-xls/103年度直轄市及縣市總預算彙編_收支簡明比較分析表.xls': { rows: 8, types: { 項目: 'text', 本年度預算數: 'integer' } },
  'dgbas-city-budget/src-xls/97年度縣市總預算彙編_收支簡明比較分析表.xls': { rows: 9, types: { 本年度預算數: 'integer' } },
  'dgbas-city-budget/src-xls/90年度縣市總預算彙編_融資調度比較分析表.xls': { rows: 6, types: { 項目: 'text', 前年度決算數: 'integer' } },
  'dgbas-city-budget/src-xls/103年度直轄市及縣市總預算彙編_歲入來源別預算總表.xls': { refused: /sheet "來源別": .*side by side/ },
  'dgbas-city-budget/src-xls/103年度直轄市及縣市總預算彙編_歲出政事別預算總表.xls': { refused: /side by side/ },
  // A Dutch budget analysis with a header over four lines (provincie / A / Groningen / NR., Cluster).
  'messy-messytables/begrotingsanalyse-2011.csv': { refused: /the header on line 4 has 8 blank and 11 repeated names, so it probably spans several lines/ },
  // Project Open Data catalogues (data.json): a list of datasets under "dataset" is a list of
  // records, so it loads, one row per dataset; keywords, publishers, distributions are nested and
  // kept as their JSON text, each such column reported as not tidy.
  'catalogue-datajson/healthdata.gov.data.json': { rows: 1762, types: { title: 'text', modified: 'text' }, warns: /read the 1762 records at "dataset"[\s\S]*column "distribution" holds nested values[\s\S]*key "license" first appears in record 1099/ },
  'catalogue-datajson/small-education.json': { rows: 89, types: { title: 'text', dataQuality: 'boolean' }, warns: /column "keyword" holds nested values/ },
  'catalogue-datajson/gsa-ckanext-datajson/usda.gov.data.json': { rows: 3, types: { modified: 'date', additionalFieldDict: 'text' }, warns: /column "additionalFieldListWDict" holds nested values/ },
  'catalogue-datajson/gsa-ckanext-datajson/missing-catalog.data.json': { rows: 1, types: { modified: 'date' }, warns: /1 records are empty objects \{\} \(the first is record 1\); skipped/ },
  'catalogue-datajson/gsa-ckanext-datajson/numerical-title.data.json': { rows: 1, types: { title: 'integer' } }, // "title": 707
  // kiang's cleaned budget table: an object keyed by 經資_<city>, each an object of amounts: a
  // table turned sideways, with no list of records in it. Refused, saying what shape is wanted.
  'dgbas-city-budget/clean-json/103年度直轄市及縣市總預算彙編_歲出政事別預算總表.json': { refused: /no list of records found: the JSON holds no array of objects/ },
  // Headerless files: the first line is data, columns named 欄位1…
  'messy-csvkit/no_header_row.csv': { rows: 1, types: { 欄位1: 'integer' }, warns: /no header/ },
  'messy-messytables/null.csv': { rows: 10, types: { 欄位1: 'integer' }, warns: /no header/ },
};

function corpus(): string[] {
  const root = testdata('');
  if (!root) return [];
  const walk = (d: string): string[] => readdirSync(d).flatMap((f) => (statSync(path.join(d, f)).isDirectory() ? walk(path.join(d, f)) : [path.join(d, f)]));
  return walk(root)
    .filter((f) => /[/\\](messy-|dgbas-|pcaxis-|tw-gov-misc|catalogue-datajson)/.test(f) && /\.(csv|tsv|psv|ssv|px|json|xml|xls|xlsx|ods)$/i.test(f))
    .map((f) => path.relative(root, f))
    .sort();
}

describe.each(engines)('the real-world corpus through the datastore on %s', (engine) => {
  let t: TestEnv;
  const files = corpus();
  beforeAll(async () => {
    t = await makeEnv(engine);
  });
  afterAll(async () => t.cleanup());

  it('knows what it expects of files that exist', () => {
    if (files.length === 0) return;
    for (const f of Object.keys(EXPECT)) expect(files, f).toContain(f);
  });

  for (const file of files.length ? files : ['(corpus absent)']) {
    it(file, async (ctx) => {
      if (files.length === 0) return ctx.skip();
      const full = testdata(file) ?? '';
      const ext = path.extname(file).slice(1).toUpperCase();
      const format = ext === 'PSV' || ext === 'SSV' ? 'CSV' : ext;
      const v = await t.services.datastore.addVersion({ resourceId: file, source: createReadStream(full), fileName: path.basename(file), format, uploadedBy: 'corpus' });
      const tablesBefore = await t.services.db.kysely.selectFrom('datastore_seq').select('next').executeTakeFirstOrThrow();
      const want = EXPECT[file];
      const outcome = await t.services.datastore.load(v.id).then(
        (r) => ({ ok: true as const, r }),
        (e: unknown) => ({ ok: false as const, e: e as Error & { zh?: string; en?: string; status?: number } }),
      );
      if (!outcome.ok) {
        // Refused: a 422 with both languages, the version marked failed, no table left.
        expect(outcome.e.status, outcome.e.message).toBe(422);
        expect(outcome.e.zh && outcome.e.en).toBeTruthy();
        expect(want?.refused, `${file} was refused: ${outcome.e.message}`).toBeDefined();
        expect(outcome.e.message).toMatch(want?.refused ?? /$^/);
        const failed = await t.services.datastore.version(v.id);
        expect(failed.datastore_state).toBe('failed');
        const next = await t.services.db.kysely.selectFrom('datastore_seq').select('next').executeTakeFirstOrThrow();
        if (Number(next.next) > Number(tablesBefore.next)) {
          const name = `ds_${Number(next.next) - 1}`;
          const exists = await sql`select 1 from ${sql.table(name)} limit 1`.execute(t.services.db.kysely).then(() => true, () => false);
          expect(exists, `${name} left behind`).toBe(false);
        }
        return;
      }
      expect(want?.refused, `${file} loaded but was expected to be refused`).toBeUndefined();
      const r = outcome.r;
      if (want?.rows !== undefined) expect(r.rows).toBe(want.rows);
      for (const [name, type] of Object.entries(want?.types ?? {})) expect(r.columns.find((c) => c.name === name)?.type, `${file} ${name}`).toBe(type);
      if (want?.warns) expect(r.issues.map((i) => i.en).join('\n')).toMatch(want.warns);
      for (const i of r.issues) expect(i.zh && i.en, JSON.stringify(i)).toBeTruthy();
    });
  }

  it('a report-like file loads with the header lines the contact chose', async (ctx) => {
    const full = testdata('messy-messytables/begrotingsanalyse-2011.csv');
    if (!full) return ctx.skip();
    const v = await t.services.datastore.addVersion({ resourceId: 'header-choice', source: createReadStream(full), fileName: 'begrotingsanalyse-2011.csv', format: 'CSV', headerRows: '4-7', uploadedBy: 'corpus' });
    const r = await t.services.datastore.load(v.id);
    expect(r.columns.slice(0, 4).map((c) => c.name)).toEqual(['NR.', 'Cluster', 'provincie A Groningen', 'provincie B Friesland']);
    expect(r.issues.map((i) => i.en)).toContain('the header joins lines 4–7');
    expect(r.rows).toBe(36);
    // A header choice that is not a line number refuses the file, saying how to write it.
    const bad = await t.services.datastore.addVersion({ resourceId: 'header-choice', source: createReadStream(full), fileName: 'b.csv', format: 'CSV', headerRows: 'four', uploadedBy: 'corpus' });
    const refused = await t.services.datastore.load(bad.id).then(() => undefined, (e: unknown) => e as { status: number; en: string });
    expect(refused?.status).toBe(422);
    expect(refused?.en).toMatch(/header rows "four" not understood/);
  });
});
