import { describe, expect, it } from 'vitest';
import { inferColumn } from './infer.ts';
import { isMissing, parseBoolean, parseDate, parseNumber, parsePercent } from './values.ts';

describe('values as agencies write them', () => {
  it('numbers: thousands separators, full-width digits, accounting negatives', () => {
    expect(parseNumber('1,234,567')).toEqual({ value: 1234567, integer: true, grouped: true });
    expect(parseNumber('１２３')).toEqual({ value: 123, integer: true, grouped: false });
    expect(parseNumber('-0.25')).toEqual({ value: -0.25, integer: false, grouped: false });
    expect(parseNumber('(1,234.5)')).toEqual({ value: -1234.5, integer: false, grouped: true });
    expect(parseNumber(' 42 ')?.value).toBe(42);
    for (const bad of ['1,23', '12,3456', '1.2.3', 'abc', '12元', '', '3%']) expect(parseNumber(bad), bad).toBeUndefined();
  });

  it('percentages, booleans and the ways of writing "no value"', () => {
    expect(parsePercent('12.5%')).toBe(12.5);
    expect(parsePercent('-3 ％')).toBe(-3);
    expect(parsePercent('12.5')).toBeUndefined();
    expect([parseBoolean('是'), parseBoolean('否'), parseBoolean('Y'), parseBoolean('false'), parseBoolean('maybe')]).toEqual([true, false, true, false, undefined]);
    for (const m of ['', ' ', '-', '－', '…', '...', '.', 'NA', '不詳', '\u3000']) expect(isMissing(m), JSON.stringify(m)).toBe(true);
    expect(isMissing('0')).toBe(false);
  });

  it('dates: Gregorian, 民國 and period codes, to one canonical form', () => {
    const cases: [string, string, string, boolean][] = [
      ['2024-01-05', 'day', '2024-01-05', false],
      ['2024/1/5', 'day', '2024-01-05', false],
      ['20240105', 'day', '2024-01-05', false],
      ['2024年1月5日', 'day', '2024-01-05', false],
      ['113/01/05', 'day', '2024-01-05', true],
      ['113.1.5', 'day', '2024-01-05', true],
      ['1130105', 'day', '2024-01-05', true],
      ['民國113年1月5日', 'day', '2024-01-05', true],
      ['113年1月', 'month', '2024-01', true],
      ['113/01', 'month', '2024-01', true],
      ['2024-01', 'month', '2024-01', false],
      ['2024M01', 'month', '2024-01', false],
      ['1981-M1', 'month', '1981-01', false],
      ['70年1月', 'month', '1981-01', true],
      ['2024Q1', 'quarter', '2024-Q1', false],
      ['113年第1季', 'quarter', '2024-Q1', true],
      ['113年第四季', 'quarter', '2024-Q4', true],
      ['民國113年', 'year', '2024', true],
      ['113年', 'year', '2024', true],
      ['2024年', 'year', '2024', false],
      [' 57年', 'year', '1968', true],
    ];
    for (const [text, granularity, iso, roc] of cases) expect(parseDate(text), text).toMatchObject({ granularity, iso, roc });
    for (const bad of ['2024-02-30', '113/13/01', '2024', '113', '2024Q5', '12345', 'abc', '2024-1-1-1']) expect(parseDate(bad), bad).toBeUndefined();
  });
});

describe('inferColumn', () => {
  it('whole numbers with leading zeros are codes: text, so 09007 (連江縣) keeps its zero; ROC dates like 0991231 are still dates', () => {
    expect(inferColumn(['01', '002', '00003'])).toMatchObject({ type: 'text', leadingZeros: true });
    expect(inferColumn(['63000', '09007', '10002']).type).toBe('text');
    expect(inferColumn(['0', '10', '200']).type).toBe('integer');
    expect(inferColumn(['0.5', '1.25']).type).toBe('decimal');
    expect(inferColumn(['0991231', '1000105', '1130105']).type).toBe('date');
  });

  it('proposes integer, decimal, percent, date, boolean and text', () => {
    expect(inferColumn(['1', '2', '-', '1,000'])).toMatchObject({ type: 'integer', values: 3, missing: 1, grouped: true });
    expect(inferColumn(['1', '2.5', '3'])).toMatchObject({ type: 'decimal' });
    expect(inferColumn(['1.5%', '20%'])).toMatchObject({ type: 'percent' });
    expect(inferColumn(['113年1月', '113年2月', '113年3月'])).toMatchObject({ type: 'date', granularity: 'month', roc: true, forms: ['roc-cjk-month'] });
    expect(inferColumn(['2024-01-05', '113/01/06'])).toMatchObject({ type: 'date', granularity: 'day', roc: true, forms: ['iso-', 'roc/'] });
    expect(inferColumn(['是', '否', '是'])).toMatchObject({ type: 'boolean' });
    expect(inferColumn(['臺北市', '新北市'])).toMatchObject({ type: 'text', misfits: [] });
    expect(inferColumn(['', '-'])).toMatchObject({ type: 'text', values: 0, missing: 2 });
  });

  it('says which values kept a mostly numeric column from being a number', () => {
    const r = inferColumn(['10', '20', '30 註1', '40', '50元']);
    expect(r.type).toBe('text');
    expect(r.misfits).toEqual([
      { row: 2, value: '30 註1', expected: 'integer' },
      { row: 4, value: '50元', expected: 'integer' },
    ]);
  });

  it('keeps a column mixing days and months as text, naming the forms', () => {
    expect(inferColumn(['2024-01-05', '2024-02'])).toMatchObject({ type: 'text', forms: ['iso-', 'iso-month-'] });
  });
});
