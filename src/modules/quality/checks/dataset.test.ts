import { describe, expect, it } from 'vitest';
import { datasetInput } from '../../../../test/factories/dataset.ts';
import { metadataComplete, nextDue, notSplit, timeliness } from './dataset.ts';

describe('timeliness', () => {
  it('next due dates by 更新頻率, months clamped to the month’s end', () => {
    expect(nextDue('2024-01-31', { kind: 'interval', every: 1, unit: 'month' })).toBe('2024-02-29');
    expect(nextDue('2024-11-15', { kind: 'interval', every: 1, unit: 'quarter' })).toBe('2025-02-15');
    expect(nextDue('2024-02-29', { kind: 'interval', every: 1, unit: 'year' })).toBe('2025-02-28');
    expect(nextDue('2024-01-01', { kind: 'interval', every: 2, unit: 'week' })).toBe('2024-01-15');
  });
  it('on time up to one day past due (configurable); late after, with the days', () => {
    const base = { frequency: '每1月', lastUpdate: '2026-10-15 09:00:00' };
    expect(timeliness({ ...base, asOf: '2026-11-15' }).result).toBe('pass');
    expect(timeliness({ ...base, asOf: '2026-11-16' }).result).toBe('pass');
    const late = timeliness({ ...base, asOf: '2026-11-27' });
    expect(late).toMatchObject({ result: 'fail', data: { due: '2026-11-15', daysLate: 12 } });
    expect(late.zh).toContain('已逾期 12 天');
    expect(timeliness({ ...base, asOf: '2026-11-20', graceDays: 7 }).result).toBe('pass');
  });
  it('不定期 → na; no frequency → na (not declared); a frequency in no national form → fail; 即時 due daily', () => {
    expect(timeliness({ frequency: '不定期', lastUpdate: '2020-01-01', asOf: '2026-11-27' }).result).toBe('na');
    expect(timeliness({ frequency: '', lastUpdate: '2020-01-01', asOf: '2026-11-27' })).toMatchObject({ result: 'na', data: { notDeclared: true } });
    expect(timeliness({ frequency: '每個月月底', lastUpdate: '2026-11-01', asOf: '2026-11-27' }).result).toBe('fail');
    expect(timeliness({ frequency: '即時', lastUpdate: '2026-11-20', asOf: '2026-11-27' }).result).toBe('fail');
  });
});

describe('metadata_complete', () => {
  it('a complete dataset passes; missing required fields fail, each named', () => {
    expect(metadataComplete(datasetInput()).result).toBe('pass');
    const r = metadataComplete({ ...datasetInput(), title: '', description: '' });
    expect(r.result).toBe('fail');
    expect(r.evidence.map((e) => e.column)).toEqual(expect.arrayContaining(['title', 'description']));
  });
});

describe('not_split', () => {
  const cols = ['縣市', '人口數'];
  it('one table cut by year, by month or by county is flagged with the merged table', () => {
    const byYear = notSplit([{ name: '111年人口統計', columns: cols }, { name: '112年人口統計', columns: cols }, { name: '113年人口統計', columns: cols }]);
    expect(byYear.result).toBe('fail');
    expect(byYear.data?.suggestions).toEqual([{ pieces: ['111年人口統計', '112年人口統計', '113年人口統計'], by: 'year', columns: ['年度', '縣市', '人口數'] }]);
    expect(notSplit([{ name: 'CPI 2024-01', columns: cols }, { name: 'CPI 2024-02', columns: cols }]).data?.suggestions).toMatchObject([{ by: 'month' }]);
    expect(notSplit([{ name: '臺北市收容所', columns: ['名稱'] }, { name: '高雄市收容所', columns: ['名稱'] }]).data?.suggestions).toMatchObject([{ by: 'region' }]);
  });
  it('different tables, or same columns with names that differ otherwise, are not flagged; one table is na', () => {
    expect(notSplit([{ name: '113年人口統計', columns: cols }, { name: '113年戶數統計', columns: ['縣市', '戶數'] }]).result).toBe('pass');
    expect(notSplit([{ name: '收入', columns: cols }, { name: '支出', columns: cols }]).result).toBe('pass');
    expect(notSplit([{ name: '113年', columns: cols }]).result).toBe('na');
  });
});
