import { runCheck } from '../../../../test/helpers/quality.ts';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { testdata } from '../../../../test/helpers/env.ts';
import { cubeToTable, pxToCube } from '../../ingest/cube-table.ts';
import { readCsvFile } from '../../ingest/csv-reader.ts';
import { readPx } from '../../ingest/pcaxis.ts';
import { readSdmxJson } from '../../ingest/sdmx.ts';
import type { RawCell, RawTable } from '../../ingest/table.ts';
import type { IndicatorResult } from '../indicators.ts';
import { COUNTIES, TOWN_BY_CODE, TOWNS } from '../standards/admin-areas.ts';
import { dataStandardsCheck } from './data-standards.ts';

/** Runs the check over hand-made rows, in batches of `batch`. */
function check(columns: string[], rows: RawCell[][], batch = 64): IndicatorResult {
  const c = dataStandardsCheck();
  c.begin(columns);
  for (let i = 0; i < rows.length; i += batch) c.rows(rows.slice(i, i + batch), i + 1);
  return c.end();
}

/** Runs the check over a table as a reader streams it. */
const checkTable = (t: RawTable): Promise<IndicatorResult> => runCheck(dataStandardsCheck(), t);

const col = (values: RawCell[]): RawCell[][] => values.map((v) => [v]);
const notes = (r: IndicatorResult): string => r.evidence.map((e) => `${e.column}|${e.row}|${e.sample}|${e.note}`).join('\n');

describe('code lists', () => {
  it('has the 22 counties and 368 towns, each county numbered 010, 020, … without gaps', () => {
    expect(COUNTIES).toHaveLength(22);
    expect(TOWNS).toHaveLength(368);
    expect(new Set(TOWNS.map(([c]) => c)).size).toBe(368);
    const perCounty = new Map<string, number>();
    for (const [code] of TOWNS) perCounty.set(code.slice(0, 5), (perCounty.get(code.slice(0, 5)) ?? 0) + 1);
    expect([...perCounty.keys()].sort()).toEqual(COUNTIES.map((c) => c.code).sort());
    for (const [county, n] of perCounty) {
      const seqs = TOWNS.filter(([c]) => c.startsWith(county)).map(([c]) => Number(c.slice(5)));
      expect(seqs, county).toEqual(Array.from({ length: n }, (_, i) => (i + 1) * 10));
    }
    expect(Object.fromEntries(COUNTIES.map((c) => [c.name, perCounty.get(c.code)]))).toEqual({
      臺北市: 12, 高雄市: 38, 新北市: 29, 臺中市: 29, 臺南市: 37, 桃園市: 13, 宜蘭縣: 12, 新竹縣: 13, 苗栗縣: 18, 彰化縣: 26, 南投縣: 13,
      雲林縣: 20, 嘉義縣: 18, 屏東縣: 33, 臺東縣: 16, 花蓮縣: 13, 澎湖縣: 6, 基隆市: 7, 新竹市: 3, 嘉義市: 2, 連江縣: 4, 金門縣: 6,
    });
  });

  it('agrees with codes quoted in other public sources', () => {
    const known: [string, string][] = [
      ['63000010', '松山區'], ['63000050', '中正區'], ['64000380', '那瑪夏區'], ['65000010', '板橋區'], ['65000290', '烏來區'],
      ['66000010', '中區'], ['67000370', '中西區'], ['68000010', '桃園區'], ['10005050', '頭份市'], ['10007100', '員林市'],
      ['10013330', '牡丹鄉'], ['10014010', '臺東市'], ['10014160', '蘭嶼鄉'], ['10016010', '馬公市'], ['10017010', '中正區'],
      ['10018010', '東區'], ['10020020', '西區'], ['09007010', '南竿鄉'], ['09007040', '東引鄉'], ['09020010', '金城鎮'], ['09020060', '烏坵鄉'],
    ];
    for (const [code, name] of known) expect(TOWN_BY_CODE.get(code), code).toBe(name);
  });
});

describe('data_standards: dates', () => {
  it('one form per column passes; a column mixing forms fails with the forms and their first rows', () => {
    expect(check(['日期'], col(['2024-01-05', '2024-01-06', '2024-02-01'])).result).toBe('pass');
    const r = check(['日期'], col(['2024-01-05', '2024-01-06', '2024/01/07', '2024-01-08']));
    expect(r.result).toBe('fail');
    expect(notes(r)).toContain('日期|3|2024/01/07|');
    expect(notes(r)).toContain('iso/');
    expect(r.evidence.find((e) => e.sample === '2024-01-05')?.count).toBe(3);
  });

  it('ROC and Gregorian in one column fail; a ROC-only column warns with the conversion', () => {
    const mixed = check(['日期'], col(['113/01/05', '113/01/06', '2024-01-07']));
    expect(mixed.result).toBe('fail');
    expect(notes(mixed)).toContain('2024-01-07');
    const roc = check(['日期'], col(['113/01/05', '113/01/06', '113/02/01']));
    expect(roc.result).toBe('warn');
    expect(roc.en).toContain('ROC years (民國): convertible to Gregorian');
    expect(roc.evidence[0]).toMatchObject({ row: 1, sample: '113/01/05', count: 3 });
    expect(roc.evidence[0].note).toContain('2024-01-05');
  });

  it('false positives: a year column, period codes, year totals among months', () => {
    // Bare years are numbers, not a date-form mix.
    expect(check(['年'], col(['2019', '2020', '2021', '2022'])).result).toBe('pass');
    expect(check(['統計期'], col(['2024M01', '2024M02', '2024M03'])).result).toBe('pass');
    expect(check(['統計期'], col(['2024Q1', '2024M02', '2024M03'])).result).toBe('pass');
    // 113年 (the year's total) among 113年1月… is the same way of writing, at another precision: ROC warn only.
    expect(check(['統計期'], col(['113年', '113年1月', '113年2月'])).result).toBe('warn');
  });
});

describe('data_standards: county and area codes', () => {
  it('valid codes pass (5-digit counties, 8-digit towns, 11-digit villages by their town)', () => {
    expect(check(['縣市代碼'], col(['63000', '64000', '09007', '09020', '10002'])).result).toBe('pass');
    expect(check(['鄉鎮市區代碼'], col(['63000010', '09020060', '10014160'])).result).toBe('pass');
    expect(check(['行政區代碼'], col(['63000', '63000010'])).result).toBe('pass');
    expect(check(['村里代碼'], col(['63000010001', '65000020R01'])).result).toBe('pass');
    // A total row labelled in words is not a code.
    expect(check(['CountyCode'], col(['總計', '63000'])).result).toBe('pass');
  });

  it('invalid codes fail with values and rows; a lost leading zero is named', () => {
    const r = check(['縣市代碼', '縣市'], [['63000', '臺北市'], ['63001', '臺北市'], [9007, '連江縣']]);
    expect(r.result).toBe('fail');
    expect(notes(r)).toContain('縣市代碼|2|63001|不是現行縣市代碼');
    expect(notes(r)).toContain('縣市代碼|3|9007|開頭的 0 不見了（應為 09007）');
    const t = check(['鄉鎮市區代碼'], col(['63000010', '63000130']));
    expect(t.result).toBe('fail');
    expect(t.evidence[0]).toMatchObject({ row: 2, sample: '63000130' });
    const area = check(['AreaCode'], col(['63000', '65000010', '6500001']));
    expect(area.result).toBe('fail');
    expect(area.evidence.map((e) => e.row)).toEqual([3]);
    // The MOI boundary data's TOWNID is a letter code (A01), not an area code: not checked.
    expect(check(['TOWNID', 'TOWNCODE'], [['A01', '63000010']]).result).toBe('pass');
  });

  it('codes found by their values beside a name column; an 8-digit product code is not an area code', () => {
    const r = check(['縣市', '代碼'], [['臺北市', '63000'], ['高雄市', '64000'], ['新北市', '65001']]);
    expect(r.result).toBe('fail');
    expect(notes(r)).toContain('代碼|3|65001');
    const product = check(['品名', '貨號', '數量'], [['筆', '12345678', '3'], ['紙', '23456789', '5'], ['墨', '34567890', '7']]);
    expect(product.result).toBe('pass');
    expect(product.data?.codes).toEqual([]);
    // 統一編號 (company numbers) beside a county column are not area codes either.
    const companies = check(['統一編號', '縣市'], [['04595257', '臺北市'], ['22099131', '新竹市'], ['97176270', '臺中市']]);
    expect(companies.data?.codes).toEqual([]);
  });

  it('former county names warn after their change; 台 vs 臺 passes; old names in old data pass', () => {
    expect(check(['縣市'], col(['台北市', '臺北市', '台中市', '臺東縣'])).result).toBe('pass');
    const r = check(['縣市'], col(['臺北市', '台北縣', '桃園縣']));
    expect(r.result).toBe('warn');
    expect(notes(r)).toContain('縣市|2|台北縣|台北縣 已於 2010 年底改制為 新北市');
    expect(check(['年', '縣市'], [['2009', '臺北縣'], ['2009', '桃園縣'], ['2013', '桃園縣']]).result).toBe('pass');
    expect(check(['年', '縣市'], [['2015', '桃園縣'], ['2015', '臺北市']]).result).toBe('warn');
    const byPeriod = check(['統計期', '縣市'], [['98年', '臺北縣'], ['100年', '臺北縣']]);
    expect(byPeriod.evidence.filter((e) => e.column === '縣市').map((e) => e.row)).toEqual([2]);
  });
});

describe('data_standards: coordinates', () => {
  it('WGS84 degrees inside Taiwan, Kinmen, Matsu and Penghu pass', () => {
    const r = check(['經度', '緯度'], [['121.5654', '25.0330'], ['118.3171', '24.4324'], ['119.9499', '26.1602'], ['119.5664', '23.5655']]);
    expect(r.result).toBe('pass');
    expect(r.data?.coordinates).toHaveLength(2);
  });

  it('swapped longitude and latitude fail with evidence; out of range fails', () => {
    const swapped = check(['lon', 'lat'], [['25.0330', '121.5654'], ['24.1477', '120.6736']]);
    expect(swapped.result).toBe('fail');
    expect(notes(swapped)).toContain('lon|1|25.0330|這是緯度的值');
    expect(notes(swapped)).toContain('longitude and latitude look swapped');
    const outside = check(['經度', '緯度'], [['121.5', '25.0'], ['0', '0'], ['139.69', '35.68']]);
    expect(outside.result).toBe('fail');
    expect(outside.evidence.map((e) => `${e.column}:${e.row}`)).toEqual(expect.arrayContaining(['經度:2', '經度:3', '緯度:2', '緯度:3']));
  });

  it('a chart\'s bare x and y are not coordinates unless they fall in Taiwan', () => {
    const chart = check(['x', 'y'], [['1', '2'], ['2', '4'], ['3', '9']]);
    expect(chart.data?.coordinates).toEqual([]);
    expect(chart.result).toBe('pass');
  });

  it('TWD97 TM2 metres: in range passes, swapped X/Y fails', () => {
    expect(check(['X坐標', 'Y坐標'], [['265059.16', '2517127.71'], ['304000', '2770000']]).result).toBe('pass');
    const r = check(['TWD97_X', 'TWD97_Y'], [['2517127.71', '265059.16']]);
    expect(r.result).toBe('fail');
    expect(notes(r)).toContain('TWD97_X|1|2517127.71|這是Y的值');
  });
});

describe('data_standards: numbers written as text', () => {
  it('plain numbers pass; separators, units, marks and full-width digits fail with the kind and samples', () => {
    expect(check(['人數'], col(['1234', '-5', '0.25', '1e3', '35%'])).result).toBe('pass');
    const cases: [string, string][] = [
      ['1,234', '千分位符號'],
      ['100元', '數字帶單位'],
      ['123*', '數字帶註記符號'],
      ['456(註1)', '數字帶註記符號'],
      ['789 r', '數字帶註記符號'],
      ['12p', '數字帶註記符號'],
      ['１２３', '全形數字'],
      ['1.5萬', '數字帶單位'],
      ['NT$300', '數字帶單位'],
    ];
    for (const [value, kind] of cases) {
      const r = check(['金額'], col(['100', '200', value, '300']));
      expect(r.result, value).toBe('fail');
      expect(r.evidence[0], value).toMatchObject({ column: '金額', row: 3, sample: value, count: 1 });
      expect(r.evidence[0].note, value).toContain(kind);
    }
  });

  it('false positives: text columns, phone numbers, identifiers and codes are not number columns', () => {
    expect(check(['說明'], col(['共 3 人', '第 2 期', '無'])).result).toBe('na');
    expect(check(['連絡電話'], col(['(089)325301', '0937600483', '089-123456'])).result).toBe('na');
    expect(check(['收容所編號'], col(['SV950-0001', 'SV950-0002'])).result).toBe('na');
    // A mostly-text column with a stray number is not a number column.
    expect(check(['備註'], col(['已改建', '停用', '1,200 人', '暫停', '無'])).result).toBe('na');
  });
});

describe('data_standards: verdicts', () => {
  it('na when no rule applies; the worst finding wins', () => {
    const na = check(['名稱', '地址'], [['臺東市公所', '臺東縣臺東市博愛路365號']]);
    expect(na.result).toBe('na');
    expect(na.zh).toContain('沒有適用');
    const both = check(['日期', '金額'], [['113/01/05', '1,000'], ['113/01/06', '2000']]);
    expect(both.result).toBe('fail');
    // Fails first, then warnings, in the evidence.
    expect(both.evidence[0].column).toBe('金額');
    expect(both.zh).toContain('金額');
  });

  it('a check used for a second table starts afresh', () => {
    const c = dataStandardsCheck();
    c.begin(['金額']);
    c.rows([['1,000']], 1);
    expect(c.end().result).toBe('fail');
    c.begin(['說明']);
    c.rows([['無']], 1);
    expect(c.end().result).toBe('na');
  });

  it('decides from the first rows but counts every row (findings after the probe are reported)', () => {
    const rows: RawCell[][] = [];
    for (let i = 0; i < 1000; i++) rows.push([`2024-01-${String((i % 28) + 1).padStart(2, '0')}`, String(i)]);
    rows[900] = ['2024/01/05', '1,234'];
    const r = check(['日期', '數量'], rows, 100);
    expect(r.result).toBe('fail');
    expect(notes(r)).toContain('日期|901|2024/01/05');
    expect(notes(r)).toContain('數量|901|1,234');
  });
});

describe('data_standards on the real corpus', () => {
  /** Reads a corpus file with the reader its format needs. */
  async function read(rel: string, p: string): Promise<RawTable> {
    if (rel.endsWith('.json')) return readSdmxJson(readFileSync(p));
    if (rel.endsWith('.px')) return cubeToTable(pxToCube(readPx(readFileSync(p))));
    return readCsvFile(p);
  }

  // What a careful reader says of each file (../shared/testdata, see SOURCES.md), and why.
  const expectations: [file: string, verdict: string, why: string][] = [
    ...['A018102050', 'A018203010', 'A018403010', 'A018705010', 'A020001010', 'A020004010', 'A020007010', 'A030102010', 'A030104010', 'A030105010', 'A040103050', 'A041205010'].map(
      (code): [string, string, string] => [`dgbas-nstatdb/${code}.json`, 'warn', 'DGBAS SDMX: 統計期 in 民國 (70年, 70年1月): one way of writing, ROC years flagged as convertible'],
    ),
    ['pcaxis-twstat/town-TPE/AG00112DA.px', 'warn', 'Taipei PX: 年底別 79年 … (民國)'],
    ['pcaxis-twstat/town-TPE/PH00265YA.px', 'warn', 'Taipei PX: 年別 63年 … (民國)'],
    ['pcaxis-twstat/county-old-utf8/1.px', 'pass', '桃園縣 appears only in rows for 1998–2014, when it was its name'],
    ['pcaxis-twstat/county-utf8/01-1.px', 'pass', 'bare years, current county names, plain numbers'],
    ['pcaxis-twstat/county-csv/01.csv', 'pass', 'bare years, current county names, plain numbers'],
    ['tw-gov-misc/636485953864564217.csv', 'pass', 'Taitung shelters: TWD97 X/Y inside Taiwan, yyyymmdd dates, phone numbers are not quantities'],
    ['messy-messytables/characters.csv', 'pass', 'Tourism Bureau attractions (Big5): WGS84 Px/Py inside Taiwan'],
    ['messy-csvkit/test_locale.csv', 'fail', '"1,7" (decimal comma) and "200.000.000" (dotted thousands)'],
    ['messy-csvkit/FY09_EDU_Recipients_by_State.csv', 'fail', 'counts with thousands separators (6,718)'],
    ['messy-messytables/excel_pasting.csv', 'fail', 'counts with thousands separators (2,666)'],
    ['messy-messytables/spanish_chars.csv', 'fail', 'amounts with thousands separators (229,932.50)'],
    ['messy-ckan-xloader/sample_with_extra_blank_cells.csv', 'fail', 'amounts with a currency sign ($123,456)'],
    ['messy-frictionless/table-with-accents.csv', 'fail', 'French decimal commas (0,611553068); its 01-01-13 is not a 民國 date'],
    ['messy-ckan-xloader/date_formats.csv', 'fail', 'one date column in four forms (2011-01-02, 01-03-2011, 2011.01.02, 11-01-03)'],
    ['messy-ckan-xloader/boston_311_sample.csv', 'fail', 'coordinates in Boston: outside Taiwan'],
    ['messy-frictionless/accent.csv', 'fail', 'coordinates in France: outside Taiwan'],
    ['messy-csvkit/acs2012_5yr_population.csv', 'pass', 'US FIPS codes are no Taiwanese area codes; plain numbers'],
    ['messy-csvkit/ks_1033_data.csv', 'pass', 'plain numbers and text'],
    ['messy-frictionless/leading-zeros.csv', 'pass', 'numbers with leading zeros are plain'],
    ['messy-ckan-xloader/german_sample.csv', 'pass', 'plain numbers'],
    ['dgbas-nstatdb/api.csv', 'na', 'table names and codes: no date, area code, coordinate or number column'],
    ['datagovtw-catalogue/city-portals/kaohisung.2018.03.20.OD.csv', 'na', 'catalogue titles and links only'],
  ];

  it.each(expectations)('%s → %s (%s)', async (rel, verdict) => {
    const p = testdata(rel);
    if (!p) return;
    const r = await checkTable(await read(rel, p));
    expect(r.result, notes(r)).toBe(verdict);
  });

  it('evidence on real files says where and what', async () => {
    const sdmx = testdata('dgbas-nstatdb/A030102010.json');
    if (sdmx) {
      const r = await checkTable(readSdmxJson(readFileSync(sdmx)));
      expect(r.evidence[0]).toMatchObject({ column: '統計期', row: 1, sample: '70年' });
      expect(r.evidence[0].note).toContain('可轉為西元 1981');
      expect(r.en).toContain('ROC years (民國): convertible to Gregorian');
    }
    const taitung = testdata('tw-gov-misc/636485953864564217.csv');
    if (taitung) {
      const r = await checkTable(await readCsvFile(taitung));
      expect(r.data?.coordinates).toEqual([
        expect.objectContaining({ column: 'X坐標', axis: 'e', system: 'tm2', swapped: 0, outside: 0 }),
        expect.objectContaining({ column: 'Y坐標', axis: 'n', system: 'tm2', swapped: 0, outside: 0 }),
      ]);
      expect(r.data?.dates).toEqual([{ column: '最後更新時間', forms: ['yyyymmdd'], roc: false }]);
    }
    const locale = testdata('messy-csvkit/test_locale.csv');
    if (locale) {
      const r = await checkTable(await readCsvFile(locale));
      expect(notes(r)).toContain('a|1|1,7|以逗號作小數點');
      expect(notes(r)).toContain('b|1|200.000.000|千分位符號');
    }
    const formats = testdata('messy-ckan-xloader/date_formats.csv');
    if (formats) {
      const r = await checkTable(await readCsvFile(formats));
      expect(r.evidence.filter((e) => e.note?.startsWith('寫法')).map((e) => e.sample)).toEqual(['2011-01-02', '01-03-2011', '2011.01.02', '11-01-03']);
    }
  });
});

describe('data_standards memory', () => {
  it('streams 500,000 generated rows without holding them', () => {
    const c = dataStandardsCheck();
    c.begin(['日期', '縣市代碼', '縣市', '經度', '緯度', '金額', '說明']);
    const before = process.memoryUsage().heapUsed;
    const codes = COUNTIES.map((x) => x.code);
    const names = COUNTIES.map((x) => x.name);
    for (let b = 0; b < 500; b++) {
      const batch: RawCell[][] = [];
      for (let i = 0; i < 1000; i++) {
        const n = b * 1000 + i;
        batch.push([`113/${String((n % 12) + 1).padStart(2, '0')}/15`, codes[n % 22], names[n % 22], String(120 + (n % 100) / 100), String(22 + (n % 300) / 100), n % 1000 === 999 ? '1,234' : String(n), `第 ${n} 筆`]);
      }
      c.rows(batch, b * 1000 + 1);
    }
    const r = c.end();
    const grown = process.memoryUsage().heapUsed - before;
    expect(r.result).toBe('fail');
    expect(r.evidence.find((e) => e.column === '金額')?.count).toBe(500);
    expect(r.evidence.find((e) => e.column === '日期')?.count).toBe(500_000);
    expect(grown).toBeLessThan(50 * 1024 * 1024);
  });
});
