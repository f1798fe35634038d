import { mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import iconv from 'iconv-lite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkFile, type QualityReport } from '../src/modules/quality/engine.ts';
import type { IndicatorId, Verdict } from '../src/modules/quality/indicators.ts';
import { DGBAS_CSV } from './factories/tables.ts';
import { kaifang, noStackTrace } from './helpers/cli.ts';
import { testdata } from './helpers/env.ts';

/** A valid 國民身分證統一編號 computed from the rule (datagovtw.md §9), not copied from anywhere. */
function taiwanId(letter: string, digits8: string): string {
  const values = 'ABCDEFGHJKLMNPQRSTUVXYWZIO';
  const v = values.indexOf(letter) + 10;
  const nums = [Math.floor(v / 10), v % 10, ...`1${digits8.slice(0, 7)}`.split('').map(Number)];
  const w = [1, 9, 8, 7, 6, 5, 4, 3, 2, 1];
  const sum = nums.reduce((s, n, i) => s + n * w[i], 0);
  return `${letter}1${digits8.slice(0, 7)}${(10 - (sum % 10)) % 10}`;
}

const verdicts = (r: QualityReport) => Object.fromEntries(r.indicators.map((i) => [i.id, i.result])) as Record<IndicatorId, Verdict>;

describe('kaifang check (the quality engine from the command line)', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'kaifang-check-'));
  const env = { KAIFANG_DATA_DIR: dir, DATABASE_URL: `sqlite:${path.join(dir, 'x.sqlite')}`, KAIFANG_DEMO: '0', KAIFANG_LINKCHECK_ALLOW_PRIVATE: '1' };
  let server: Server;
  let base = '';
  beforeAll(async () => {
    server = createServer((req, res) => {
      if (req.url === '/cpi.csv') {
        res.writeHead(200, { 'content-type': 'text/csv; charset=utf-8' });
        res.end('年月,CPI\n2024-01,102.3\n2024-02,102.5\n');
      } else if (req.url === '/landing') {
        res.writeHead(200, { 'content-type': 'text/html' });
        res.end('<!doctype html><html><head><title>資料下載</title></head><body><form><input type="password" name="pw"></form></body></html>');
      } else {
        res.writeHead(404);
        res.end('not found');
      }
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise((r) => server.close(r));
    rmSync(dir, { recursive: true, force: true });
  });

  it('a Big5 file declared UTF-8 fails encoding_match naming Big5; exit 1; --json is one object with every indicator', async () => {
    const file = path.join(dir, '家庭收支.csv');
    writeFileSync(file, iconv.encode(DGBAS_CSV, 'big5hkscs'));
    const r = await kaifang(['check', file, '--format', 'CSV', '--encoding', 'UTF-8', '--json'], env);
    expect(r.code, r.stderr).toBe(1);
    const report = JSON.parse(r.stdout) as QualityReport;
    const enc = report.indicators.find((i) => i.id === 'encoding_match');
    expect(enc?.result).toBe('fail');
    expect(enc?.en).toMatch(/declared encoding is UTF-8, but the file is (Big5|CP950|Big5-HKSCS)/);
    expect(report.indicators.map((i) => i.id)).toHaveLength(13);
    for (const i of report.indicators) expect(['pass', 'fail', 'warn', 'na']).toContain(i.result);
    for (const i of report.indicators as (typeof report.indicators[number] & { message: string })[]) expect(i.message).toBe(`${i.zh} / ${i.en}`);
    expect(report.badge).toBe('silver');
    expect(report.next).toEqual({ badge: 'gold', missing: ['encoding_match', 'desc_match'] }); // no 主要欄位說明 declared either
    // The human table says the same.
    const human = await kaifang(['check', file, '--encoding', 'UTF-8'], env);
    expect(human.code).toBe(1);
    expect(human.stdout).toMatch(/encoding_match\s+未通過 FAIL\s+宣告的編碼格式為 UTF-8，但檔案實際為/);
    expect(human.stdout).toContain('預估品質標章 Predicted badge: 銀 silver');
  });

  it('exit 0 when nothing fails (declarations right), 2 when the file is not there', async () => {
    const file = path.join(dir, 'cpi.csv');
    writeFileSync(file, '年月,CPI\n2024-01,102.3\n2024-02,102.5\n');
    const ok = await kaifang(['check', file, '--format', 'CSV', '--encoding', 'UTF-8', '--fields', '年月、CPI(消費者物價指數)', '--json'], env);
    expect(ok.code, ok.stdout).toBe(0);
    expect((JSON.parse(ok.stdout) as QualityReport).badge).toBe('platinum');
    const missing = await kaifang(['check', path.join(dir, 'nope.csv')], env);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('找不到檔案');
    noStackTrace(missing);
  });

  it('URLs: a file that downloads is checked in full; a 404 fails linkable; a login page fails downloadable', async () => {
    const good = JSON.parse((await kaifang(['check', `${base}/cpi.csv`, '--format', 'CSV', '--json'], env)).stdout) as QualityReport;
    expect(verdicts(good)).toMatchObject({ linkable: 'pass', downloadable: 'pass', structured: 'pass', format_match: 'pass', tabular_shape: 'pass' });
    expect(good.file?.rows).toBe(2);
    const gone = await kaifang(['check', `${base}/missing.csv`, '--json'], env);
    expect(gone.code).toBe(1);
    expect(verdicts(JSON.parse(gone.stdout) as QualityReport)).toMatchObject({ linkable: 'fail', personal_data: 'na' });
    const landing = JSON.parse((await kaifang(['check', `${base}/landing`, '--format', 'CSV', '--json'], env)).stdout) as QualityReport;
    expect(verdicts(landing)).toMatchObject({ linkable: 'pass', downloadable: 'fail' });
    expect(landing.badge).toBe('none');
  });

  it('personal data: a column of valid ID numbers fails, masked in the evidence; the same shapes with wrong check digits pass', async () => {
    const ids = ['A', 'F', 'Q', 'Z'].map((l, i) => taiwanId(l, `2345678${i}`));
    const file = path.join(dir, 'people.csv');
    writeFileSync(file, `序號,身分證字號,金額\n${ids.map((id, i) => `${i + 1},${id},${100 * (i + 1)}`).join('\n')}\n`);
    const r = await checkFile({ path: file, fileName: 'people.csv', declared: {} });
    const p = r.indicators.find((i) => i.id === 'personal_data');
    expect(p?.result).toBe('fail');
    const shown = JSON.stringify(p?.evidence);
    for (const id of ids) expect(shown).not.toContain(id);
    const wrong = ids.map((id) => `${id.slice(0, 9)}${(Number(id[9]) + 1) % 10}`);
    writeFileSync(file, `序號,身分證字號,金額\n${wrong.map((id, i) => `${i + 1},${id},${100 * (i + 1)}`).join('\n')}\n`);
    expect((await checkFile({ path: file, fileName: 'people.csv', declared: {} })).indicators.find((i) => i.id === 'personal_data')?.result).toBe('pass');
  });
});

/**
 * The whole real-world corpus through the engine, as `kaifang check <file>` with nothing declared:
 * it never throws, no public file is said to hold personal data, and for the files below what a
 * careful person who opened them would say, written down file by file.
 */
const EXPECT: Record<string, Partial<Record<IndicatorId, Verdict>> & { badge?: string }> = {
  // National catalogue exports: tidy tables; contact e-mails of offices are duty contacts (warn), not personal data.
  'datagovtw-catalogue/city-portals/tainan.2018.03.20.OD.csv': { structured: 'pass', tabular_shape: 'pass', personal_data: 'pass', badge: 'silver' },
  'datagovtw-catalogue/city-portals/kaohisung.2018.03.20.OD.csv': { tabular_shape: 'pass', personal_data: 'warn' },
  // A list of titles in a .txt: text, not a structured format.
  'datagovtw-catalogue/data_title.txt': { structured: 'fail', badge: 'bronze' },
  // DGBAS statistical database answers (SDMX-JSON): tables with 民國 periods (warn: convertible).
  'dgbas-nstatdb/A020001010.json': { structured: 'pass', tabular_shape: 'pass', data_standards: 'warn', personal_data: 'pass', gender_statistics: 'na' },
  'dgbas-nstatdb/A040103050.json': { tabular_shape: 'pass', gender_statistics: 'warn' },
  // Budget reports printed as tables: not tidy tables (refused by the reader), so no content check.
  'dgbas-city-budget/103年度直轄市及縣市總預算彙編_歲入來源別預算總表.csv': { tabular_shape: 'fail', personal_data: 'na' },
  'dgbas-city-budget/src-xls/97年度縣市總預算彙編_收支簡明比較分析表.xls': { structured: 'warn', tabular_shape: 'fail' },
  // PC-Axis cubes: structured, tidy once read; Taipei's with ROC years warn on data standards.
  'pcaxis-twstat/county-utf8/01-1.px': { structured: 'pass', tabular_shape: 'pass', data_standards: 'pass', personal_data: 'pass' },
  'pcaxis-twstat/town-TPE/PH00265YA.px': { tabular_shape: 'pass', data_standards: 'warn' },
  'pcaxis-other/pyaxis/14001.px': { gender_statistics: 'warn' },
  // Messy CSVs: the shape problems each fixture is about.
  'messy-frictionless/blank-headers.csv': { tabular_shape: 'fail' },
  'messy-frictionless/duplicate-headers.csv': { tabular_shape: 'fail' },
  'messy-frictionless/skip-rows-before-headers.csv': { tabular_shape: 'fail' },
  'messy-frictionless/defective-rows.csv': { tabular_shape: 'fail' },
  'messy-frictionless/leading-zeros.csv': { structured: 'pass', tabular_shape: 'pass' }, // one column: still a CSV
  'messy-frictionless/empty.csv': { structured: 'fail', badge: 'none' },
  'messy-csvkit/no_header_row.csv': { tabular_shape: 'fail' },
  'messy-csvkit/test_locale.csv': { data_standards: 'fail' }, // thousands separators in numbers
  'messy-csvkit/test_utf16_little.csv': { structured: 'pass', tabular_shape: 'pass' },
  'messy-messytables/excel_pasting.csv': { tabular_shape: 'fail', data_standards: 'fail' }, // title rows, "2,666"
  'messy-messytables/example.tsv': { structured: 'pass', tabular_shape: 'pass' },
  'messy-messytables/begrotingsanalyse-2011.csv': { tabular_shape: 'fail' },
  // Taitung shelters: TWD97 coordinates fine; village chiefs' mobiles as duty contacts (warn).
  'tw-gov-misc/636485953864564217.csv': { tabular_shape: 'pass', data_standards: 'pass', personal_data: 'warn' },
  // Linked-data files: structured (RDF), not tables.
  'dcat-ap-shacl/3.0.0/examples/example-bee-population.ttl': { structured: 'pass', tabular_shape: 'na' },
};

describe('the real-world corpus through the quality engine', () => {
  const root = testdata('');
  const walk = (d: string): string[] => readdirSync(d).flatMap((f) => (statSync(path.join(d, f)).isDirectory() ? walk(path.join(d, f)) : [path.join(d, f)]));
  const files = root ? walk(root).filter((f) => !f.endsWith('.md')).map((f) => path.relative(root, f)).sort() : [];

  it('knows the files it expects', (ctx) => {
    if (!root) return ctx.skip();
    for (const f of Object.keys(EXPECT)) expect(files, f).toContain(f);
  });

  for (const file of files.length ? files : ['(corpus absent)']) {
    it(file, async (ctx) => {
      if (!root) return ctx.skip();
      const r = await checkFile({ path: path.join(root, file), fileName: path.basename(file), declared: {} });
      const v = verdicts(r);
      // Public data: nobody's personal data in it.
      expect(v.personal_data, `${file}: ${r.indicators.find((i) => i.id === 'personal_data')?.en}`).not.toBe('fail');
      for (const i of r.indicators) expect(i.zh && i.en, `${file} ${i.id}`).toBeTruthy();
      const want = EXPECT[file];
      if (!want) return;
      const { badge, ...ids } = want;
      for (const [id, verdict] of Object.entries(ids)) expect(v[id as IndicatorId], `${file} ${id}: ${r.indicators.find((i) => i.id === id)?.en}`).toBe(verdict);
      if (badge) expect(r.badge, file).toBe(badge);
    });
  }
});
