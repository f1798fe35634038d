import { createReadStream } from 'node:fs';
import { PassThrough, Readable } from 'node:stream';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cells, listFile, listRow } from '../../../test/factories/datagovtw-list.ts';
import { engines, makeEnv, testdata, type TestEnv } from '../../../test/helpers/env.ts';
import type { Services } from '../../services.ts';
import { entryToInput, LIST_COLUMNS, parseListRow } from './list-format.ts';
import { exportDatagovtwList } from './list-export.service.ts';
import { importDatagovtwList } from './list-import.service.ts';

const fromText = (text: string) => Readable.from([Buffer.from(text, 'utf8')]);

async function exportText(s: Services): Promise<string> {
  const sink = new PassThrough();
  const chunks: Buffer[] = [];
  sink.on('data', (c: Buffer) => chunks.push(c));
  await exportDatagovtwList(s, sink);
  return Buffer.concat(chunks).toString('utf8');
}

const parseList = (text: string): string[][] => parse(text, { bom: true });

// The fixture: what an agency's national list looks like, warts included.
const own = listRow({ 資料集名稱: '家庭收支調查', 上架日期: '2013/07/15', 詮釋資料更新時間: '2024-01-02 03:04:05.123000', 品質檢測: '白金' });
const multi = listRow({
  資料集名稱: '消費者物價指數',
  檔案格式: 'CSV;XML;JSON',
  資料下載網址: 'https://www.dgbas.gov.tw/cpi.csv;https://www.dgbas.gov.tw/cpi.xml;https://www.dgbas.gov.tw/cpi.json',
  編碼格式: 'UTF-8;UTF-8;BIG5',
  資料量: '100;100;',
  資料集描述: '本表為 "CPI" 指數\t（含定位字元）\r\n第二行：基期為民國110年',
  主要欄位說明: '欄位說明：\n第一欄為年月，第二欄為指數',
  備註: '指數以 "民國110年=100" 計',
  更新頻率: '每1月',
});
const malformed = cells(listRow({ 資料集識別碼: 'A41000000G-700001' })).slice(0, 21);
const badCategory = listRow({ 資料集識別碼: 'A41000000G-700002', 服務分類: '公共服務' });
const otherAgency = listRow({ 資料集識別碼: 'A01010000C-000123', 資料集名稱: '戶籍人口統計', 提供機關: '內政部', 提供機關聯絡人姓名: '李大華 小姐' });
const badDateOtherAgency = listRow({ 資料集識別碼: 'A15000000J-000001', 提供機關: '交通部', 上架日期: '2024-13-40' });

const fixture = listFile([own, multi, malformed, { raw: '\r\n' }, badCategory, otherAgency, badDateOtherAgency]);
const lineOf = (i: number) => fixture.lines[i];

describe.each(engines)('data.gov.tw national list on %s', (engine) => {
  let t: TestEnv;
  beforeAll(async () => {
    t = await makeEnv(engine);
  });
  afterAll(async () => t.cleanup());

  it('imports the good rows as published datasets and reports bad rows by the line they start on', async () => {
    const report = await importDatagovtwList(t.services, fromText(fixture.text));
    expect(report).toMatchObject({ rows: 6, created: 3, updated: 0, failed: 3 });
    const failed = new Map(report.errors.map((e) => [e.line, e]));
    // Header on line 1, `own` on 2, `multi` spans 3–5 (two quoted line breaks), a blank line 7.
    expect([...failed.keys()]).toEqual([6, 8, 10]);
    expect([lineOf(2), lineOf(4), lineOf(6)]).toEqual([6, 8, 10]);
    expect(failed.get(lineOf(2))?.message).toContain('應為 22 欄');
    expect(failed.get(lineOf(4))).toMatchObject({ column: '服務分類', identifier: 'A41000000G-700002' });
    expect(failed.get(lineOf(6))).toMatchObject({ column: '上架日期', identifier: 'A15000000J-000001' });

    const c = t.services.catalogue;
    const a = await c.get(own.資料集識別碼);
    expect(a).toMatchObject({ state: 'published', title: '家庭收支調查', categoryCode: 'I00', issued: '2013-07-15', modified: '2024-01-02 03:04:05', qualityBadge: '白金', licenseId: 'OGDL-Taiwan-1.0', publisherName: '行政院主計總處' });
    expect(a.unit.name).toBe((await t.services.units.window()).name);
    expect(a.resources[0]).toMatchObject({ resourceId: `${own.資料集識別碼}-001`, description: '家庭收支調查 CSV', numberOfData: 120 });

    const b = await c.get(multi.資料集識別碼);
    expect(b.description).toBe(multi.資料集描述);
    expect(b.fieldDescription).toBe(multi.主要欄位說明);
    expect(b.resources.map((r) => [r.format, r.encoding, r.downloadUrl, r.numberOfData])).toEqual([
      ['CSV', 'UTF-8', 'https://www.dgbas.gov.tw/cpi.csv', 100],
      ['XML', 'UTF-8', 'https://www.dgbas.gov.tw/cpi.xml', 100],
      ['JSON', 'BIG5', 'https://www.dgbas.gov.tw/cpi.json', null],
    ]);

    const moi = await c.get(otherAgency.資料集識別碼);
    expect(moi.unit).toMatchObject({ name: 'a01010000c', title: '內政部', kind: 'external' });
    expect(moi.publisherName).toBe('內政部');

    // Bad rows wrote nothing: no datasets, and no unit for the agency whose only row was bad.
    for (const id of ['A41000000G-700001', 'A41000000G-700002', 'A15000000J-000001']) {
      await expect(c.get(id, { includeNonPublic: true })).rejects.toMatchObject({ code: 'DATASET_NOT_FOUND' });
    }
    expect((await t.services.units.list({ includeExternal: true })).map((u) => u.title)).not.toContain('交通部');
    expect((await c.search({ q: '物價' })).results.map((d) => d.identifier)).toContain(multi.資料集識別碼);
  });

  it('exports every stored column as it was listed, and import → export → import gives the same file', async () => {
    const first = await exportText(t.services);
    expect(first.startsWith('\uFEFF資料集識別碼,資料集名稱,')).toBe(true);
    const rows = parseList(first);
    expect(rows[0]).toEqual([...LIST_COLUMNS]);
    const byId = new Map(rows.slice(1).map((r) => [r[0], r]));
    expect(byId.size).toBe(3);
    expect(byId.get(multi.資料集識別碼)).toEqual(cells(multi));
    expect(byId.get(otherAgency.資料集識別碼)).toEqual(cells(otherAgency));
    // Dates come back in the national form.
    expect(byId.get(own.資料集識別碼)).toEqual(cells({ ...own, 上架日期: '2013-07-15', 詮釋資料更新時間: '2024-01-02 03:04:05' }));

    const t2 = await makeEnv(engine);
    try {
      const again = await importDatagovtwList(t2.services, fromText(first));
      expect(again).toMatchObject({ rows: 3, created: 3, failed: 0 });
      const second = await exportText(t2.services);
      expect(parseList(second)).toEqual(rows);
      expect(second).toBe(first);
    } finally {
      await t2.cleanup();
    }
  });

  it('re-importing is idempotent and keeps what the list does not carry', async () => {
    const c = t.services.catalogue;
    // Someone improves the dataset here: a resource description, a keyword, an e-mail.
    const existing = await c.get(multi.資料集識別碼);
    const entry = parseListRow(cells(multi)).entry;
    if (!entry) throw new Error('fixture row did not parse');
    const edited = entryToInput(entry, existing.unit.name, existing);
    edited.keywords = ['物價', 'CPI'];
    edited.publisherContactEmail = 'cpi@dgbas.gov.tw';
    edited.resources = (edited.resources ?? []).map((r, i) => (i === 0 ? { ...r, description: '消費者物價指數（月資料）CSV 檔' } : r));
    await c.save(edited, { state: 'published' });
    const before = await c.countPublished();

    const report = await importDatagovtwList(t.services, fromText(fixture.text));
    expect(report).toMatchObject({ created: 0, updated: 3, failed: 3 });
    expect(await c.countPublished()).toBe(before);
    const after = await c.get(multi.資料集識別碼);
    expect(after.id).toBe(existing.id);
    expect(after.resources.map((r) => r.id)).toEqual(existing.resources.map((r) => r.id));
    expect(after.resources[0].description).toBe('消費者物價指數（月資料）CSV 檔');
    expect(after.resources[1].description).toBe('消費者物價指數 XML');
    expect(after.keywords).toEqual(['物價', 'CPI']);
    expect(after.publisherContactEmail).toBe('cpi@dgbas.gov.tw');
    expect((await c.search({ q: '消費者物價' })).count).toBe(1);
  });

  it('puts the agency\'s own rows in --unit, and later imports leave them where a person put them', async () => {
    await importDatagovtwList(t.services, fromText(fixture.text), { unit: 'statistics' });
    expect((await t.services.catalogue.get(own.資料集識別碼)).unit.name).toBe('statistics');
    expect((await t.services.catalogue.get(otherAgency.資料集識別碼)).unit.name).toBe('a01010000c');
    await importDatagovtwList(t.services, fromText(fixture.text));
    expect((await t.services.catalogue.get(own.資料集識別碼)).unit.name).toBe('statistics');
    await expect(importDatagovtwList(t.services, fromText(fixture.text), { unit: 'no-such-unit' })).rejects.toMatchObject({
      code: 'UNIT_NOT_FOUND',
      en: expect.stringContaining('statistics') as string,
    });
  });

  it('imports paid rows and over-long descriptions the list carries, with warnings to fix them', async () => {
    const paid = listRow({ 資料集識別碼: 'A41000000G-710001', 計費方式: '付費', 更新頻率: '每半年' });
    const long = listRow({ 資料集識別碼: 'A41000000G-710002', 資料集描述: '很長的描述。'.repeat(100) });
    const report = await importDatagovtwList(t.services, fromText(listFile([paid, long]).text));
    expect(report).toMatchObject({ created: 2, failed: 0 });
    const messages = report.warnings.map((w) => `${w.column ?? ''} ${w.message}`).join('\n');
    expect(messages).toContain('計費說明網址');
    expect(messages).toContain('500');
    expect((await t.services.catalogue.get(paid.資料集識別碼)).cost).toBe('付費');
  });

  it('reports a record it cannot read (quote never closed) by its line and keeps the rows before it', async () => {
    const good = listRow();
    const broken = `${cells(listRow()).slice(0, 9).join(',')},"說明沒有結尾引號\r\n${'x,'.repeat(11)}x\r\n`;
    const f = listFile([good, { raw: broken }]);
    const report = await importDatagovtwList(t.services, fromText(f.text));
    expect(report).toMatchObject({ created: 1, failed: 1 });
    expect(report.errors[0].line).toBe(f.lines[1]);
    expect(report.errors[0].message).toContain('無法讀取');
  });

  it('reports a row the database refuses and goes on with the next one', async () => {
    // Identifiers that differ only in case would share the URL name, which must be unique.
    const upper = listRow({ 資料集識別碼: 'A41000000G-ABC123' });
    const lower = listRow({ 資料集識別碼: 'A41000000G-abc123' });
    const after = listRow();
    const f = listFile([upper, lower, after]);
    const report = await importDatagovtwList(t.services, fromText(f.text));
    expect(report).toMatchObject({ created: 2, failed: 1 });
    expect(report.errors[0]).toMatchObject({ line: f.lines[1], identifier: 'A41000000G-abc123' });
    expect(report.errors[0].message).toContain('資料庫拒絕這筆資料');
    expect((await t.services.catalogue.get(upper.資料集識別碼)).title).toBe(upper.資料集名稱);
    expect((await t.services.catalogue.get(after.資料集識別碼)).title).toBe(after.資料集名稱);
  });

  it('refuses a file with the wrong header, naming the expected one, and imports nothing', async () => {
    const before = await t.services.catalogue.countPublished();
    const wrong = listFile([listRow()], { header: LIST_COLUMNS.map((c) => (c === '檔案格式' ? '格式' : c)) });
    await expect(importDatagovtwList(t.services, fromText(wrong.text))).rejects.toMatchObject({
      code: 'DATAGOVTW_BAD_HEADER',
      zh: expect.stringContaining('第6欄為「格式」，應為「檔案格式」') as string,
    });
    await expect(importDatagovtwList(t.services, fromText(''))).rejects.toMatchObject({ code: 'DATAGOVTW_BAD_HEADER' });
    expect(await t.services.catalogue.countPublished()).toBe(before);
  });

  const cityPortal = testdata('datagovtw-catalogue/city-portals/kaohisung.2018.03.20.OD.csv');
  it.skipIf(!cityPortal)('refuses a real city-portal list (not the national format) and imports nothing', async () => {
    if (!cityPortal) return;
    const before = await t.services.catalogue.countPublished();
    const unitsBefore = (await t.services.units.list({ includeExternal: true })).length;
    const err = await importDatagovtwList(t.services, createReadStream(cityPortal)).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'DATAGOVTW_BAD_HEADER', en: expect.stringContaining(LIST_COLUMNS.join(',')) as string });
    expect(await t.services.catalogue.countPublished()).toBe(before);
    expect((await t.services.units.list({ includeExternal: true })).length).toBe(unitsBefore);
  });
});
