import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { testdata } from '../../../test/helpers/env.ts';
import { cubeToTable, pxDateToIso, pxToCube, VALUE_COLUMN } from './cube-table.ts';
import { readPx } from './pcaxis.ts';
import { ReadError, type CubeInfo, type RawCell } from './table.ts';

const CUBE: CubeInfo = {
  title: '人口',
  dimensions: [
    { id: 'year', label: '年', codes: ['2023', '2024'], labels: ['112年', '113年'], role: 'time' },
    { id: 'sex', label: '性別', codes: ['M', 'F', 'T'], labels: ['男', '女', '計'] },
  ],
  values: [1, 2, 3, 4, null, 6],
  status: new Map([[4, '…']]),
};

async function collect(rows: AsyncIterable<RawCell[]>): Promise<RawCell[][]> {
  const out: RawCell[][] = [];
  for await (const r of rows) out.push(r);
  return out;
}

describe('cubeToTable', () => {
  it('one row per cell, the last dimension fastest, labels in the dimension columns and the value last', async () => {
    const t = cubeToTable(CUBE);
    expect(t.columns).toEqual(['年', '性別', VALUE_COLUMN]);
    expect(t.cube).toBe(CUBE);
    expect(await collect(t.rows())).toEqual([
      ['112年', '男', 1],
      ['112年', '女', 2],
      ['112年', '計', 3],
      ['113年', '男', 4],
      ['113年', '女', null],
      ['113年', '計', 6],
    ]);
    // rows() can be read again (a loader may read the table twice: infer, then load).
    expect(await collect(t.rows())).toHaveLength(6);
  });

  it('makes column names unique (a dimension called 數值) and reports it', () => {
    const t = cubeToTable({ ...CUBE, dimensions: [CUBE.dimensions[0], { ...CUBE.dimensions[1], label: '數值' }] });
    expect(t.columns).toEqual(['年', '數值', '數值_2']);
    expect(t.issues.map((i) => i.en)).toEqual(['header "數值" repeats; occurrence 2 renamed "數值_2"']);
  });

  it('refuses a cube whose values do not fill its dimensions', () => {
    expect(() => cubeToTable({ ...CUBE, values: [1, 2, 3] })).toThrow(ReadError);
    expect(() => cubeToTable({ ...CUBE, values: [1, 2, 3] })).toThrow('the cube has 3 values but its dimensions (年 2 × 性別 3) need 6');
  });

  it('streams a large cube without making an array of its rows', async () => {
    const n = 1000 * 300;
    const big: CubeInfo = {
      title: null,
      dimensions: [
        { id: 'a', label: 'a', codes: Array.from({ length: 1000 }, (_, i) => `a${i}`), labels: Array.from({ length: 1000 }, (_, i) => `甲${i}`) },
        { id: 'b', label: 'b', codes: Array.from({ length: 300 }, (_, i) => `b${i}`), labels: Array.from({ length: 300 }, (_, i) => `乙${i}`) },
      ],
      values: Array.from({ length: n }, (_, i) => i),
    };
    const before = process.memoryUsage().heapUsed;
    let count = 0;
    let last: RawCell[] = [];
    for await (const r of cubeToTable(big).rows()) {
      count++;
      last = r;
    }
    expect(count).toBe(n);
    expect(last).toEqual(['甲999', '乙299', n - 1]);
    // 300,000 rows of 3 cells kept would take tens of MB; streamed, the heap barely moves.
    expect(process.memoryUsage().heapUsed - before).toBeLessThan(30 * 1024 * 1024);
  });
});

describe('pxToCube', () => {
  it('reads PC-Axis dates as ISO 8601', () => {
    expect(pxDateToIso('20230224 08:30')).toBe('2023-02-24T08:30:00');
    expect(pxDateToIso('20191118')).toBe('2019-11-18');
    expect(pxDateToIso('2016/5/6 18:06')).toBe('2016-05-06T18:06:00');
    expect(pxDateToIso('2012059 17:00')).toBeNull();
    expect(pxDateToIso(null)).toBeNull();
  });

  it('DGBAS 縣市重要統計指標 (01-1.px): 指標 × 期間 (time) × 縣市 (geo, MAP), codes kept, "." cells with their symbol', async (ctx) => {
    const p = testdata('pcaxis-twstat/county-utf8/01-1.px');
    if (!p) return ctx.skip();
    const cube = pxToCube(readPx(readFileSync(p)));
    expect(cube.title).toBe('【改制後】縣市重要統計指標 依 指標, 期間 與 縣市');
    expect(cube.unit).toBe('請看項目');
    expect(cube.updated).toBe('2016-05-06T18:06:00');
    expect(cube.dimensions.map((d) => [d.id, d.codes.length, d.role])).toEqual([['指標', 7, undefined], ['期間', 17, 'time'], ['縣市', 24, 'geo']]);
    expect(cube.dimensions[2].codes.slice(0, 3)).toEqual(['70', '71', '65000']);
    expect(cube.dimensions[2].labels.slice(0, 3)).toEqual(['總計', '臺灣地區', '新北市']);
    expect(cube.values).toHaveLength(7 * 17 * 24);
    // "..." (not available) and "." (not applicable) stay distinct.
    expect(new Set(cube.status?.values())).toEqual(new Set(['.', '...']));
    expect(cube.status?.get(408)).toBe('...');
    const t = cubeToTable(cube);
    expect(t.columns).toEqual(['指標', '期間', '縣市', '數值']);
    const first = await t.rows()[Symbol.asyncIterator]().next();
    expect(first.value).toEqual(['土地面積', '1998', '總計', 36188.0354]);
  });

  it('Taipei Big5 PX (AG00112YA.px): 年底別 with ROC years is time, LAST-UPDATED and SOURCE kept', (ctx) => {
    const p = testdata('pcaxis-twstat/town-TPE/AG00112YA.px');
    if (!p) return ctx.skip();
    const cube = pxToCube(readPx(readFileSync(p)));
    expect(cube.updated).toBe('2012-05-11');
    expect(cube.title).toBe('臺北市耕地面積-年');
    expect(cube.source).toBe('本府產業發展局');
    expect(cube.dimensions[0]).toMatchObject({ id: '年底別', role: 'time' });
    expect(cube.dimensions[0].labels[0]).toBe('57年');
    expect(cube.dimensions[1].labels[0]).toBe('耕地面積/總計(公頃)');
  });
});
