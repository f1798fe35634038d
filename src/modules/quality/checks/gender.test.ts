import { readTableOf, runCheck } from '../../../../test/helpers/quality.ts';
import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { testdata } from '../../../../test/helpers/env.ts';
import type { RawCell } from '../../ingest/table.ts';
import type { IndicatorResult } from '../indicators.ts';
import { genderCheck, isSexHeader, isSexValue } from './gender.ts';

function gender(columns: string[], rows: RawCell[][], batch = 100): IndicatorResult {
  const check = genderCheck();
  check.begin(columns);
  for (let i = 0; i < rows.length; i += batch) check.rows(rows.slice(i, i + batch), i + 1);
  return check.end();
}

describe('sex headers and values', () => {
  it('headers that name sex, in Chinese, English and the languages of the corpus', () => {
    for (const h of ['性別', '性別代碼', '性', '男女別', 'Sex', 'SEX_CODE', 'gender', 'Sexo', 'Geschlecht']) expect(isSexHeader(h), h).toBe(true);
    for (const h of ['性質', '個性', 'Essex', 'sector', '姓名', '男性人數', '年齡']) expect(isSexHeader(h), h).toBe(false);
  });

  it('values that are a sex; codes only count under a sex header', () => {
    for (const v of ['男', '女', '男性', '女性', ' 女 ', 'Male', 'FEMALE']) expect(isSexValue(v), v).toBe(true);
    for (const v of ['M', 'F', '1', '2', '男女', '合計', '男子籃球']) expect(isSexValue(v), v).toBe(false);
  });
});

describe('genderCheck', () => {
  it('a column named for sex → warn with the suggestion, whatever its values (1/2, M/F)', () => {
    const r = gender(['年', '性別', '人數'], [['110', '1', '30'], ['110', '2', '32']]);
    expect(r.result).toBe('warn');
    expect(r.zh).toContain('性別統計');
    expect(r.en).toContain('mark the dataset as gender statistics (性別統計)');
    expect(r.evidence[0]).toMatchObject({ column: '性別' });
    expect(gender(['sex', 'n'], [['M', '3'], ['F', '4']]).result).toBe('warn');
  });

  it('values 男/女 under another header, totals aside → warn with the first row and the values seen', () => {
    const rows: RawCell[][] = [['合計', 100], ['男性', 48], ['女性', 52]];
    const r = gender(['項目', '人數'], rows);
    expect(r.result).toBe('warn');
    expect(r.evidence[0]).toMatchObject({ column: '項目', row: 2, count: 2, sample: '男性、女性' });
  });

  it('headers that pair men and women (男性人數, 女性人數; male, female) → warn', () => {
    expect(gender(['村里', '男性人數', '女性人數'], [['文化里', 30, 31]]).result).toBe('warn');
    expect(gender(['county', 'male', 'female'], [['A', 1, 2]]).evidence[0].column).toBe('male／female');
    // One side alone is not a breakdown by sex (男子組 results, a women's shelter list).
    expect(gender(['男子組成績'], [['10.5']]).result).toBe('na');
  });

  it('nothing of the kind → na (the mark does not apply; not a pass that would count towards a badge)', () => {
    const r = gender(['年', '縣市', '人口數'], [['110', '臺北市', '2500000'], ['110', '男子籃球隊', '12']]);
    expect(r.result).toBe('na');
    expect(r.evidence).toEqual([]);
    // A few sex words among many other values do not make a sex column.
    const mixed: RawCell[][] = Array.from({ length: 50 }, (_, i) => [i < 5 ? '男' : `項目${i}`]);
    expect(gender(['項目'], mixed).result).toBe('na');
  });

  it('the same across batch boundaries', () => {
    const rows: RawCell[][] = Array.from({ length: 37 }, (_, i) => [String(i), i % 2 ? '男' : '女']);
    const whole = gender(['n', '類別'], rows, 1000);
    for (const b of [1, 5, 36]) expect(gender(['n', '類別'], rows, b)).toEqual(whole);
    expect(whole.evidence[0]).toMatchObject({ row: 1, count: 37 });
  });
});

const walk = (dir: string): string[] => readdirSync(dir).flatMap((f) => (statSync(path.join(dir, f)).isDirectory() ? walk(path.join(dir, f)) : [path.join(dir, f)]));

/** The corpus tables broken down by sex, and by which column; every other table is `na`. */
const EXPECTED: Record<string, string> = {
  'dgbas-nstatdb/A040103050.json': '性別', // 各行業就業人口 by 性別
  'dgbas-nstatdb/A130215010.json': '性別', // 平均餘命 by 性別 and 年齡
  'messy-frictionless/issue-1341.csv': 'sex', // IHME burden of disease, Male/Female
  'pcaxis-other/pyaxis/1001.px': 'Sexo', // INE Spain, "Ambos sexos"/"Hombres"/"Mujeres"
  'pcaxis-other/pyaxis/14001.px': 'sexo', // marriages by sex of the spouses
};

describe('the real corpus (../shared/testdata)', () => {
  const root = testdata('.');
  it.skipIf(!root)('suggests the 性別統計 mark for exactly the tables broken down by sex', async () => {
    const seen: Record<string, string> = {};
    for (const file of walk(root ?? '')) {
      const table = await readTableOf(file);
      if (!table) continue;
      const r = await runCheck(genderCheck(), table);
      const rel = path.relative(root ?? '', file).split(path.sep).join('/');
      expect(['warn', 'na'], rel).toContain(r.result);
      if (r.result === 'warn') seen[rel] = r.evidence.map((e) => e.column).join(' ');
    }
    expect(seen).toEqual(EXPECTED);
  });
});
