import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { testdata } from '../../../test/helpers/env.ts';
import { readSdmxJson } from './sdmx.ts';
import { ReadError, type RawCell, type RawTable } from './table.ts';

async function allRows(t: RawTable): Promise<RawCell[][]> {
  const out: RawCell[][] = [];
  for await (const r of t.rows()) out.push(r);
  return out;
}

/** The value of the row whose dimension labels are `labels`. */
async function valueAt(t: RawTable, ...labels: string[]): Promise<RawCell | undefined> {
  for await (const r of t.rows()) if (labels.every((l, i) => r[i] === l)) return r[labels.length];
  return undefined;
}

function readError(input: string | Uint8Array): ReadError {
  try {
    readSdmxJson(input);
  } catch (e) {
    if (e instanceof ReadError) return e;
    throw e;
  }
  throw new Error('no error');
}

/** A small message in the shape nstatdb answers, written by hand (numbers made up). */
const MESSAGE = {
  meta: { id: 'x', prepared: '2024-03-05 09:10:11 123', sender: { id: 'dgbas', name: '行政院主計總處' } },
  data: {
    dataSets: [{
      action: 'Information',
      series: {
        '0:0': { observations: { '0': [101.5], '1': [102] } },
        '0:1': { observations: { '0': ['99.8'], '1': ['-'] } },
        // 1:0 is absent: a whole series without figures.
        '1:1': { observations: { '1': [7] } },
      },
    }],
    structure: {
      name: '測試指數',
      dimensions: {
        series: [
          { keyPosition: 0, id: 'fldid', name: '地區', role: 'REF_FLDID', values: [{ id: '1', name: '臺灣' }, { id: '2', name: '金馬' }] },
          { keyPosition: 1, id: 'code1', name: '項目', role: 'REF_CODE1', values: [{ id: '1', name: '總指數' }, { id: '2', name: '食物類' }] },
        ],
        observation: [{ id: 'ym', name: '統計期', role: 'TIME_PERIOD', values: [{ id: '2024-M1', name: '113年1月' }, { id: '2024-M2', name: '113年2月' }] }],
      },
    },
  },
};

describe('readSdmxJson on hand-written messages', () => {
  it('lays the series out row-major (last dimension fastest); absent and non-numeric observations are null', async () => {
    const t = readSdmxJson(Buffer.from(JSON.stringify(MESSAGE)));
    expect(t.columns).toEqual(['地區', '項目', '統計期', '數值']);
    expect(t.cube?.dimensions.map((d) => [d.id, d.label, d.codes, d.role])).toEqual([
      ['fldid', '地區', ['1', '2'], undefined],
      ['code1', '項目', ['1', '2'], undefined],
      ['ym', '統計期', ['2024-M1', '2024-M2'], 'time'],
    ]);
    expect(t.cube?.values).toEqual([101.5, 102, 99.8, null, null, null, null, 7]);
    expect([...(t.cube?.status ?? [])]).toEqual([[3, '-']]);
    expect(t.cube).toMatchObject({ title: '測試指數', source: '行政院主計總處', updated: '2024-03-05T09:10:11' });
    expect(await allRows(t)).toEqual([
      ['臺灣', '總指數', '113年1月', 101.5],
      ['臺灣', '總指數', '113年2月', 102],
      ['臺灣', '食物類', '113年1月', 99.8],
      ['臺灣', '食物類', '113年2月', null],
      ['金馬', '總指數', '113年1月', null],
      ['金馬', '總指數', '113年2月', null],
      ['金馬', '食物類', '113年1月', null],
      ['金馬', '食物類', '113年2月', 7],
    ]);
    expect(t.issues).toEqual([]);
  });

  it('reads the flat form, localised names and OBS_STATUS attributes', () => {
    const t = readSdmxJson(JSON.stringify({
      data: {
        structure: {
          names: { en: 'Unemployment', 'zh-TW': '失業率' },
          dimensions: {
            observation: [
              { id: 'REF_AREA', names: { en: 'Area' }, values: [{ id: 'TW', names: { en: 'Taiwan', 'zh-TW': '臺灣' } }] },
              { id: 'TIME_PERIOD', names: { en: 'Time' }, values: [{ id: '2023' }, { id: '2024' }] },
            ],
          },
          attributes: { observation: [{ id: 'OBS_STATUS', values: [{ id: 'A' }, { id: 'P' }] }] },
        },
        dataSets: [{ observations: { '0:0': [3.48, 0], '0:1': [3.38, 1] } }],
      },
    }));
    expect(t.cube?.title).toBe('失業率');
    expect(t.cube?.dimensions.map((d) => [d.label, d.labels, d.role])).toEqual([['Area', ['臺灣'], 'geo'], ['Time', ['2023', '2024'], 'time']]);
    expect(t.cube?.values).toEqual([3.48, 3.38]);
    expect([...(t.cube?.status ?? [])]).toEqual([[0, 'A'], [1, 'P']]);
  });

  it('refuses what is not an SDMX-JSON data message, saying why, and never crashes', () => {
    const truncated = JSON.stringify(MESSAGE, null, 2).slice(0, 300);
    const e1 = readError(truncated);
    expect(e1.en).toMatch(/^not valid JSON \(/);
    expect(e1.zh).toMatch(/^不是有效的 JSON/);
    const e2 = readError('{\n"meta": {},\n x}');
    expect(e2.where.line).toBe(3);
    expect(readError('[1,2,3]').en).toBe('not a readable SDMX-JSON data message: the top level is not an object');
    expect(readError('{"data":{"dataSets":[]}}').en).toBe('not a readable SDMX-JSON data message: structure.dimensions is missing');
    const outside = structuredClone(MESSAGE);
    (outside.data.dataSets[0].series as Record<string, unknown>)['0:7'] = { observations: {} };
    expect(readError(JSON.stringify(outside)).en).toBe('not a readable SDMX-JSON data message: series key "0:7": position 2 is outside dimension "項目" (2 values)');
    const badObs = structuredClone(MESSAGE);
    badObs.data.dataSets[0].series['0:0'].observations = { x: [1] } as never;
    expect(readError(JSON.stringify(badObs)).en).toMatch(/observation key "x"/);
    // A header claiming a huge cube is refused before any memory is taken for it.
    const huge = structuredClone(MESSAGE);
    const many = Array.from({ length: 10_000 }, (_, i) => ({ id: String(i) }));
    huge.data.structure.dimensions.series = [0, 1].map((k) => ({ keyPosition: k, id: `d${k}`, name: `d${k}`, role: '', values: many.map((v) => ({ ...v, name: v.id })) }));
    expect(readError(JSON.stringify(huge)).en).toMatch(/more than the limit/);
    // Garbage bytes.
    expect(readError(new Uint8Array([0xff, 0x00, 0x81, 0x40, 0x7b]))).toBeInstanceOf(ReadError);
    expect(readError('')).toBeInstanceOf(ReadError);
  });
});

/** The real answers of DGBAS's 總體統計資料庫 (fetched 2022-09-10), as a statistician would read them. */
describe('readSdmxJson on the nstatdb answers', () => {
  const read = (code: string) => {
    const p = testdata(`dgbas-nstatdb/${code}.json`);
    return p ? readSdmxJson(readFileSync(p)) : undefined;
  };

  it('A030102010 消費者物價商品性質分類指數: 18 classes × 503 periods, years among the months (ROC labels, SDMX ids)', async (ctx) => {
    const t = read('A030102010');
    if (!t?.cube) return ctx.skip();
    expect(t.cube.title).toBe('消費者物價商品性質分類指數');
    expect(t.cube.source).toBe('行政院主計總處');
    expect(t.columns).toEqual(['商品性質別分類', '統計期', '數值']);
    const [cls, period] = t.cube.dimensions;
    expect(cls.codes).toHaveLength(18);
    expect(cls.labels.slice(0, 2)).toEqual(['總指數(含食物)', '商品類(含食物)']);
    expect(period).toMatchObject({ id: 'ym', label: '統計期', role: 'time' });
    expect(period.codes.slice(0, 3)).toEqual(['1981', '1981-M1', '1981-M2']);
    expect(period.labels.slice(0, 3)).toEqual(['70年', '70年1月', '70年2月']);
    expect(period.codes.at(-1)).toBe('2019-M9');
    expect(t.cube.values).toHaveLength(18 * 503);
    expect(t.cube.values.every((v) => v !== null)).toBe(true);
    // The index is based on 2016 (民國105年) = 100.
    expect(await valueAt(t, '總指數(含食物)', '105年')).toBe(100);
    expect(await valueAt(t, '總指數(含食物)', '108年9月')).toBe(103);
    expect(await valueAt(t, '總指數(含食物)', '70年1月')).toBe(55.24);
    expect(t.issues.map((i) => i.en)).toEqual(['time dimension "統計期" mixes frequencies: 38 year, 465 month; filter before charting or summing']);
  });

  it('A130215010 平均餘命: 性別 × 年齡 × 61 years; the zeros before 民國70年 are reported, not hidden', async (ctx) => {
    const t = read('A130215010');
    if (!t?.cube) return ctx.skip();
    expect(t.columns).toEqual(['性別', '年齡', '統計期', '數值']);
    expect(t.cube.dimensions.map((d) => d.labels.length)).toEqual([3, 9, 61]);
    expect(t.cube.dimensions[0].labels).toEqual(['全體', '男', '女']);
    expect(t.cube.dimensions[2].labels.slice(0, 1)).toEqual(['46年']);
    expect(await valueAt(t, '女', '0歲', '106年')).toBe(83.7);
    expect(await valueAt(t, '男', '0歲', '70年')).toBe(69.74);
    expect(await valueAt(t, '全體', '0歲', '46年')).toBe(0);
    expect(t.issues).toHaveLength(1);
    expect(t.issues[0].zh).toMatch(/^9 個序列自 46年 至 69年 皆為 0（全體 \/ 0歲；全體 \/ 10歲；全體 \/ 20歲 等 9 個）/);
  });

  it('A018102050 GDP 依支出分-年: 3 計價方式 × 21 項目 × 37 years, all-zero series named', async (ctx) => {
    const t = read('A018102050');
    if (!t?.cube) return ctx.skip();
    expect(t.cube.title).toBe('國內生產毛額及平減指數依支出分-年(70年以後)');
    expect(t.cube.dimensions.map((d) => [d.label, d.codes.length])).toEqual([['計價方式', 3], ['項目', 21], ['統計期', 37]]);
    expect(await valueAt(t, '當期價格(新臺幣百萬元)', '1.民間消費', '106年')).toBe(9325676);
    expect(t.issues.map((i) => i.en)).toEqual([expect.stringMatching(/^5 series are 0 throughout \(當期價格\(新臺幣百萬元\) \/ 10\.對外貿易條件變動損益;/)]);
  });

  it('A040103050 各行業就業人口: 20 行業 × 3 性別 × 35 periods (thousand persons)', async (ctx) => {
    const t = read('A040103050');
    if (!t?.cube) return ctx.skip();
    expect(t.cube.dimensions.map((d) => d.codes.length)).toEqual([20, 3, 35]);
    expect(await valueAt(t, '總計', '合計', '108年9月')).toBe(11507);
    expect(await valueAt(t, '總計', '女', '108年9月')).toBe(5121);
    let n = 0;
    for await (const _ of t.rows()) n++;
    expect(n).toBe(2100);
  });

  it('A020004010 五等分位所得分配: 7 indicators × 42 years, Gini 0.337 in 民國106年', async (ctx) => {
    const t = read('A020004010');
    if (!t?.cube) return ctx.skip();
    expect(t.cube.dimensions[0].labels.at(-1)).toBe('吉尼係數');
    expect(await valueAt(t, '吉尼係數', '106年')).toBe(0.337);
    expect(t.issues).toEqual([]);
  });

  it('every answer in the folder reads, fills its cube and streams as many rows as cells', async (ctx) => {
    const codes = ['A018102050', 'A018203010', 'A018403010', 'A018705010', 'A020001010', 'A020004010', 'A020007010', 'A030102010', 'A030104010', 'A030105010', 'A040103050', 'A041205010', 'A130215010'];
    for (const code of codes) {
      const t = read(code);
      if (!t?.cube) return ctx.skip();
      expect(t.cube.dimensions.at(-1)?.role, code).toBe('time');
      expect(t.cube.values.every((v) => typeof v === 'number'), code).toBe(true);
      let n = 0;
      for await (const r of t.rows()) {
        expect(r).toHaveLength(t.columns.length);
        n++;
      }
      expect(n, code).toBe(t.cube.values.length);
    }
  });
});
