import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { testdata } from '../../../test/helpers/env.ts';
import { pxToCube } from '../ingest/cube-table.ts';
import { readPx } from '../ingest/pcaxis.ts';
import { readSdmxJson } from '../ingest/sdmx.ts';
import type { CubeInfo } from '../ingest/table.ts';
import { toJsonStat, writeJsonStat, type JsonStatDataset } from './jsonstat.ts';

/** The parts of jsonstat-toolkit (the JSON-stat project's own reader; it ships no types) used here. */
interface JsonStatReader {
  class: string;
  error?: unknown;
  length: number;
  n: number;
  id: string[];
  role: { time: string[] | null; geo: string[] | null; metric: string[] | null };
  label: string;
  source: string;
  updated: string;
  Dimension(id: string): { label: string; length: number; id: string[]; Category(id: string): { label: string } | null };
  Data(where: Record<string, string>): { value: number | null; status: string | null } | null;
}
const JSONstat = createRequire(import.meta.url)('jsonstat-toolkit') as (input: unknown) => JsonStatReader;

/** What the JSON-stat 2.0 specification requires of a dataset, checked independently of the toolkit. */
function expectValidDataset(ds: JsonStatDataset) {
  expect(ds.version).toBe('2.0');
  expect(ds.class).toBe('dataset');
  expect(ds.id).toHaveLength(ds.size.length);
  expect(new Set(ds.id).size).toBe(ds.id.length);
  expect(Object.keys(ds.dimension).sort()).toEqual([...ds.id].sort());
  ds.id.forEach((id, k) => {
    const index = ds.dimension[id].category.index;
    expect(Object.values(index).sort((a, b) => a - b)).toEqual(Array.from({ length: ds.size[k] }, (_, i) => i));
    expect(Object.keys(ds.dimension[id].category.label).sort()).toEqual(Object.keys(index).sort());
  });
  expect(ds.value).toHaveLength(ds.size.reduce((a, b) => a * b, 1));
  for (const v of ds.value) expect(v === null || typeof v === 'number').toBe(true);
  for (const k of Object.keys(ds.status ?? {})) expect(ds.value[Number(k)]).not.toBeUndefined();
  for (const ids of Object.values(ds.role ?? {})) for (const id of ids) expect(ds.id).toContain(id);
  if (ds.updated) expect(ds.updated).toMatch(/^\d{4}-\d{2}-\d{2}/);
}

/** Writes and reads back as text, as a client would receive it. */
const roundTrip = (ds: JsonStatDataset) => JSONstat(JSON.parse(JSON.stringify(ds)));

const CUBE: CubeInfo = {
  title: '消費者物價指數',
  dimensions: [
    { id: 'area', label: '地區', codes: ['TW', 'KM'], labels: ['臺灣', '金馬'], role: 'geo' },
    { id: 'item', label: '項目', codes: ['0', '其他', '其他'], labels: ['總指數', '其他', '其他'] },
    { id: 'ym', label: '統計期', codes: ['2024-M1'], labels: ['113年1月'], role: 'time' },
  ],
  values: [101.2, 99, 100.5, 98.7, null, null],
  status: new Map([[5, '-'], [4, '…']]),
  source: '行政院主計總處',
  updated: '2024-02-05T16:00:00',
  unit: '指數(民國110年=100)',
  notes: ['本表為示範資料。'],
};

describe('toJsonStat', () => {
  it('writes a JSON-stat 2.0 dataset: ids, sizes, categories, roles, values with nulls, status', () => {
    const ds = toJsonStat(CUBE, { href: 'http://portal.test/api/v1/resources/r1/data.jsonstat' });
    expectValidDataset(ds);
    expect(ds).toMatchObject({
      version: '2.0',
      class: 'dataset',
      href: 'http://portal.test/api/v1/resources/r1/data.jsonstat',
      label: '消費者物價指數',
      source: '行政院主計總處',
      updated: '2024-02-05T16:00:00',
      note: ['本表為示範資料。'],
      id: ['area', 'item', 'ym'],
      size: [2, 3, 1],
      role: { geo: ['area'], time: ['ym'] },
      value: [101.2, 99, 100.5, 98.7, null, null],
      status: { '4': '…', '5': '-' },
      extension: { unit: '指數(民國110年=100)' },
    });
    // A repeated code gets a suffix: JSON-stat category ids are unique.
    expect(ds.dimension.item.category).toEqual({ index: { '0': 0, 其他: 1, 其他_2: 2 }, label: { '0': '總指數', 其他: '其他', 其他_2: '其他' } });
    expect(ds.dimension.ym).toEqual({ label: '統計期', category: { index: { '2024-M1': 0 }, label: { '2024-M1': '113年1月' } } });
  });

  it('reads back with jsonstat-toolkit: values and symbols where they were', () => {
    const j = roundTrip(toJsonStat(CUBE));
    expect(j.class).toBe('dataset');
    expect(j.error).toBeFalsy();
    expect(j.n).toBe(6);
    expect(j.role.time).toEqual(['ym']);
    expect(j.Dimension('area').Category('KM')?.label).toBe('金馬');
    expect(j.Data({ area: 'TW', item: '其他_2', ym: '2024-M1' })?.value).toBe(100.5);
    expect(j.Data({ area: 'KM', item: '其他', ym: '2024-M1' })).toEqual({ value: null, status: '…' });
  });

  it('puts the unit on the metric dimension when the cube has one; leaves out an updated that is not ISO 8601', () => {
    const ds = toJsonStat({ ...CUBE, updated: '2012059 17:00', dimensions: CUBE.dimensions.map((d) => (d.id === 'item' ? { ...d, role: 'metric' as const } : d)) });
    expect(ds.updated).toBeUndefined();
    expect(ds.extension).toBeUndefined();
    expect(ds.role?.metric).toEqual(['item']);
    expect(ds.dimension.item.category.unit?.['0']).toEqual({ label: '指數(民國110年=100)' });
  });

  it('refuses a cube whose values do not fill it', () => {
    expect(() => toJsonStat({ ...CUBE, values: [1] })).toThrow(/1 values for 6 cells/);
  });

  it('SDMX-JSON A030102010 (CPI by commodity type) round-trips: 108年9月 總指數 = 103', (ctx) => {
    const p = testdata('dgbas-nstatdb/A030102010.json');
    if (!p) return ctx.skip();
    const cube = readSdmxJson(readFileSync(p)).cube;
    if (!cube) throw new Error('no cube');
    const ds = toJsonStat(cube);
    expectValidDataset(ds);
    expect(ds).toMatchObject({ label: '消費者物價商品性質分類指數', source: '行政院主計總處', updated: '2022-09-10T08:36:39', id: ['fldid', 'ym'], size: [18, 503], role: { time: ['ym'] } });
    const j = roundTrip(ds);
    expect(j.Dimension('ym').Category('1981-M1')?.label).toBe('70年1月');
    expect(j.Dimension('fldid').Category('1')?.label).toBe('總指數(含食物)');
    expect(j.Data({ fldid: '1', ym: '2019-M9' })?.value).toBe(103);
    expect(j.Data({ fldid: '1', ym: '2016' })?.value).toBe(100);
  });

  it('PC-Axis 01-1.px (DGBAS county indicators) round-trips with its "." and "..." symbols and county codes', (ctx) => {
    const p = testdata('pcaxis-twstat/county-utf8/01-1.px');
    if (!p) return ctx.skip();
    const cube = pxToCube(readPx(readFileSync(p)));
    const ds = toJsonStat(cube);
    expectValidDataset(ds);
    expect(ds).toMatchObject({ id: ['指標', '期間', '縣市'], size: [7, 17, 24], role: { time: ['期間'], geo: ['縣市'] }, extension: { unit: '請看項目' } });
    expect(ds.status?.['408']).toBe('...');
    const j = roundTrip(ds);
    expect(j.Dimension('縣市').Category('65000')?.label).toBe('新北市');
    expect(j.Data({ 指標: '土地面積', 期間: '1998', 縣市: '70' })?.value).toBe(36188.0354);
    const missing = Object.keys(ds.status ?? {}).map(Number);
    expect(missing.every((i) => ds.value[i] === null)).toBe(true);
  });

  it('writeJsonStat streams exactly the document toJsonStat makes', async () => {
    const text = await written((out) => writeJsonStat(CUBE, out, { href: 'http://portal.test/x' }));
    expect(text).toBe(JSON.stringify(toJsonStat(CUBE, { href: 'http://portal.test/x' })));
    const bare: CubeInfo = { title: null, dimensions: [{ id: 'a', label: 'a', codes: [], labels: [] }], values: [] };
    expect(JSON.parse(await written((out) => writeJsonStat(bare, out)))).toEqual(toJsonStat(bare));
  });

  it('writeJsonStat: a 3,000,000-cell cube goes out in pieces, never as one string', async () => {
    const n = 3_000_000;
    const values = Array.from({ length: n }, (_, i) => (i % 1000 === 0 ? null : i / 4));
    const status = new Map<number, string>();
    for (let i = 0; i < n; i += 1000) status.set(i, '.');
    const cube: CubeInfo = {
      title: '大表',
      dimensions: [
        { id: 'a', label: '甲', codes: Array.from({ length: 3000 }, (_, i) => `a${i}`), labels: Array.from({ length: 3000 }, (_, i) => `甲${i}`) },
        { id: 'b', label: '乙', codes: Array.from({ length: 1000 }, (_, i) => `b${i}`), labels: Array.from({ length: 1000 }, (_, i) => `乙${i}`) },
      ],
      values,
      status,
    };
    let bytes = 0;
    let writes = 0;
    let largest = 0;
    let tail = '';
    const out = new Writable({
      write(chunk: Buffer, _enc, cb) {
        bytes += chunk.length;
        writes++;
        largest = Math.max(largest, chunk.length);
        tail = (tail + chunk.toString('latin1')).slice(-40);
        cb();
      },
    });
    await writeJsonStat(cube, out);
    expect(bytes).toBeGreaterThan(20_000_000);
    expect(writes).toBeGreaterThan(300);
    // No piece is more than a few hundred kB: the document was never one string.
    expect(largest).toBeLessThan(1_000_000);
    expect(tail.endsWith('"2999000":"."}}')).toBe(true);
  }, 60_000);
});

async function written(write: (out: Writable) => Promise<void>): Promise<string> {
  const chunks: Buffer[] = [];
  const out = new Writable({
    write(chunk: Buffer, _enc, cb) {
      chunks.push(chunk);
      cb();
    },
  });
  await write(out);
  return Buffer.concat(chunks).toString('utf8');
}
