import { describe, expect, it } from 'vitest';
import { cells, listRow } from '../../../test/factories/datagovtw-list.ts';
import { checkHeader, columnOfField, LIST_COLUMNS, normaliseListDate, parseListRow } from './list-format.ts';

describe('national list dates', () => {
  it.each([
    ['2013-07-15', '2013-07-15'],
    ['2013/7/5', '2013-07-05'],
    ['2013/07/15 08:09', '2013-07-15 08:09:00'],
    ['2024-01-02 03:04:05.123000', '2024-01-02 03:04:05'],
    ['2024-01-02T03:04:05', '2024-01-02 03:04:05'],
  ])('reads %s as %s', (text, value) => {
    expect(normaliseListDate(text)).toEqual({ value, rocYear: false });
  });

  it('converts a 民國 year and says so', () => {
    expect(normaliseListDate('112/06/02')).toEqual({ value: '2023-06-02', rocYear: true });
  });

  it.each(['2024-13-01', '2023-02-29', '2024-01-01 24:00:00', '昨天', '20240101'])('refuses %s', (text) => {
    expect(normaliseListDate(text)).toBeUndefined();
  });
});

describe('national list header', () => {
  it('accepts the real header and the spelling without the doubled 資', () => {
    expect(checkHeader([...LIST_COLUMNS])).toEqual({ ok: true });
    expect(checkHeader(LIST_COLUMNS.map((c) => (c === '資資料集上架方式' ? '資料集上架方式' : c)))).toEqual({ ok: true });
  });

  it('names the column that is wrong and the expected header', () => {
    const h = checkHeader(LIST_COLUMNS.map((c) => (c === '服務分類' ? '分類' : c)));
    expect(h.ok).toBe(false);
    if (h.ok) return;
    expect(h.zh).toContain('第4欄為「分類」，應為「服務分類」');
    expect(h.en).toContain(LIST_COLUMNS.join(','));
  });

  it('says so when the file is not UTF-8', () => {
    const h = checkHeader(['\uFFFD\uFFFD', 'x']);
    expect(h.ok === false && h.zh).toContain('UTF-8');
  });
});

describe('national list rows', () => {
  it('splits multi-resource cells in resource order', () => {
    const { entry, errors } = parseListRow(
      cells(listRow({ 檔案格式: 'CSV;xml;JSON', 資料下載網址: 'https://a.gov.tw/1.csv;https://a.gov.tw/1.xml;https://a.gov.tw/1.json', 編碼格式: 'UTF-8', 資料量: '1,200;3;' })),
    );
    expect(errors).toEqual([]);
    expect(entry?.resources).toEqual([
      { format: 'CSV', downloadUrl: 'https://a.gov.tw/1.csv', encoding: 'UTF-8', numberOfData: 1200 },
      { format: 'xml', downloadUrl: 'https://a.gov.tw/1.xml', encoding: 'UTF-8', numberOfData: 3 },
      { format: 'JSON', downloadUrl: 'https://a.gov.tw/1.json', encoding: 'UTF-8', numberOfData: null },
    ]);
  });

  it('keeps a lone URL whole even when it contains ;', () => {
    const { entry } = parseListRow(cells(listRow({ 資料下載網址: 'https://a.gov.tw/q?a=1;b=2' })));
    expect(entry?.resources[0].downloadUrl).toBe('https://a.gov.tw/q?a=1;b=2');
  });

  it('reports every bad column of a row, with zh-TW and English', () => {
    const { entry, errors } = parseListRow(
      cells(listRow({ 服務分類: '公共服務', 檔案格式: 'CSV;XML', 資料下載網址: 'https://a.gov.tw/1.csv', 上架日期: '2024-02-30', 資料量: '約100;2', 授權方式: 'MIT' })),
    );
    expect(entry).toBeUndefined();
    expect(errors.map((e) => e.column)).toEqual(['服務分類', '授權方式', '上架日期', '資料下載網址', '資料量']);
    expect(errors[0].message).toMatch(/服務分類「公共服務」.* \/ service category "公共服務"/);
  });

  it('refuses a row with the wrong number of columns', () => {
    const { errors } = parseListRow(cells(listRow()).slice(0, 21));
    expect(errors).toEqual([{ column: null, message: '本行有 21 欄，應為 22 欄 / the row has 21 columns, expected 22' }]);
  });

  it('tolerates a trailing empty column, as spreadsheets save it', () => {
    expect(checkHeader([...LIST_COLUMNS, ''])).toEqual({ ok: true });
    expect(parseListRow([...cells(listRow()), '']).errors).toEqual([]);
    expect(parseListRow([...cells(listRow()), 'extra']).errors[0].message).toContain('本行有 23 欄');
  });

  it('maps validation field paths back to list columns', () => {
    expect(columnOfField('resources[1].encoding')).toBe('編碼格式');
    expect(columnOfField('resources[0].downloadUrl')).toBe('資料下載網址');
    expect(columnOfField('fields[2].name')).toBe('主要欄位說明');
    expect(columnOfField('updateFrequency')).toBe('更新頻率');
    expect(columnOfField('spatial')).toBeNull();
  });
});
