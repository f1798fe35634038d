import { describe, expect, it } from 'vitest';
import { svgProblems } from '../../test/helpers/svg.ts';
import { type ChartColumn, chartSummary, codeMeaning, MAX_SERIES, periodStart, planTimeSeries, renderLineChart, seriesFromRows } from './chart.ts';

const col = (name: string, type: ChartColumn['type'], over: Partial<ChartColumn> = {}): ChartColumn => ({ name, type, label: name, unit: null, codes: null, ...over });

const CPI_COLUMNS = [
  col('period', 'date', { label: '統計期' }),
  col('item', 'integer', { label: '項目', codes: [{ code: '000', meaning: '總指數' }, { code: '100', meaning: '食物類' }] }),
  col('index', 'decimal', { label: '指數', unit: '2021年=100' }),
  col('yoy_change', 'decimal', { label: '年增率' }),
];

describe('which tables are time series', () => {
  it('charts the first numeric column per category when a coded or text category exists (CPI by 項目)', () => {
    const plan = planTimeSeries(CPI_COLUMNS);
    expect(plan?.date.name).toBe('period');
    expect(plan?.values.map((c) => c.name)).toEqual(['index']);
    expect(plan?.categories.map((c) => c.name)).toEqual(['item']);
    const text = planTimeSeries([col('年月', 'date'), col('縣市', 'text'), col('人口', 'integer')]);
    expect(text?.categories.map((c) => c.name)).toEqual(['縣市']);
  });

  it('without categories, charts the numeric columns of the first one’s kind (percentages apart), at most six', () => {
    const plan = planTimeSeries([col('年月', 'date'), col('可支配所得', 'integer'), col('消費支出', 'integer'), col('儲蓄率', 'percent')]);
    expect(plan?.values.map((c) => c.name)).toEqual(['可支配所得', '消費支出']);
    expect(plan?.categories).toEqual([]);
    const many = planTimeSeries([col('d', 'date'), ...Array.from({ length: 9 }, (_, i) => col(`v${i}`, 'decimal'))]);
    expect(many?.values).toHaveLength(MAX_SERIES);
  });

  it('treats integer codes and years as categories, not as lines', () => {
    const plan = planTimeSeries([col('期別', 'date'), col('縣市代碼', 'integer'), col('year', 'integer'), col('金額', 'integer')]);
    expect(plan?.values.map((c) => c.name)).toEqual(['金額']);
    expect(plan?.categories.map((c) => c.name)).toEqual(['縣市代碼', 'year']);
  });

  it('takes an integer column named as a year for the dates when there is no date column (2024, or 民國 113)', () => {
    const plan = planTimeSeries([col('fiscal_year', 'integer', { label: '年度' }), col('機關', 'text'), col('預算數', 'integer')]);
    expect(plan?.date.name).toBe('fiscal_year');
    expect(plan?.categories.map((c) => c.name)).toEqual(['機關']);
    if (!plan) throw new Error('no plan');
    const d = seriesFromRows(
      plan,
      [
        [113, 10, '總統府'],
        [114, 12, '總統府'],
      ],
      'zh-TW',
    );
    expect(d?.dates).toEqual(['2024', '2025']);
    expect(d?.granularity).toBe('year');
    expect(planTimeSeries([col('year', 'integer'), col('census_year', 'integer'), col('n', 'integer')])).toBeUndefined();
  });

  it('is not a time series without exactly one date column or without numbers', () => {
    expect(planTimeSeries([col('a', 'text'), col('b', 'integer')])).toBeUndefined();
    expect(planTimeSeries([col('開始', 'date'), col('結束', 'date'), col('b', 'integer')])).toBeUndefined();
    expect(planTimeSeries([col('d', 'date'), col('名稱', 'text')])).toBeUndefined();
  });

  it('reads the loader’s ISO dates and periods as the first day of the period', () => {
    expect(new Date(periodStart('2024-03-05') ?? 0).toISOString().slice(0, 10)).toBe('2024-03-05');
    expect(new Date(periodStart('2024-03') ?? 0).toISOString().slice(0, 10)).toBe('2024-03-01');
    expect(new Date(periodStart('2024-Q3') ?? 0).toISOString().slice(0, 10)).toBe('2024-07-01');
    expect(new Date(periodStart('2024') ?? 0).toISOString().slice(0, 10)).toBe('2024-01-01');
    expect(periodStart('113年1月')).toBeUndefined();
  });

  it('finds a code’s meaning when codes like 000 were loaded as the number 0', () => {
    expect(codeMeaning(CPI_COLUMNS[1], 0)).toBe('總指數');
    expect(codeMeaning(CPI_COLUMNS[1], '100')).toBe('食物類');
    expect(codeMeaning(CPI_COLUMNS[1], 7)).toBeUndefined();
  });
});

describe('the lines', () => {
  const plan = planTimeSeries(CPI_COLUMNS);
  if (!plan) throw new Error('no plan');
  const rows = [
    ['2024-01', 101.2, 0],
    ['2024-01', 103.5, 100],
    ['2024-02', 101.4, 0],
    ['2024-02', 104.1, 100],
    ['2024-03', null, 0],
    ['2024-03', 104.0, 100],
  ];

  it('makes one line per category value, named by its meaning, in the order they first appear', () => {
    const d = seriesFromRows(plan, rows, 'zh-TW');
    expect(d?.series.map((s) => s.name)).toEqual(['總指數', '食物類']);
    expect(d?.series[0].points).toEqual([
      ['2024-01', 101.2],
      ['2024-02', 101.4],
      ['2024-03', null],
    ]);
    expect(d?.dates).toEqual(['2024-01', '2024-02', '2024-03']);
    expect(d?.granularity).toBe('month');
    expect(d?.valueLabel).toBe('指數');
  });

  it('draws at most six lines and counts the rest', () => {
    const wide = Array.from({ length: 9 }, (_, k) => [
      ['2024-01', k, k * 10],
      ['2024-02', k + 1, k * 10],
    ]).flat();
    const d = seriesFromRows(plan, wide, 'zh-TW');
    expect(d?.series).toHaveLength(MAX_SERIES);
    expect(d?.seriesFound).toBe(9);
    expect(chartSummary(d ?? ({} as never), 'zh-TW')).toContain('9 條中的前 6 條');
  });

  it('leaves out columns of another size than the first (失業者 beside 勞動力 would lie flat)', () => {
    const labour = planTimeSeries([col('年月', 'date'), col('勞動力', 'integer'), col('失業者', 'integer'), col('就業者', 'integer')]);
    if (!labour) throw new Error('no plan');
    const d = seriesFromRows(
      labour,
      [
        ['2024-01', 12000, 420, 11580],
        ['2024-02', 12010, 410, 11600],
      ],
      'zh-TW',
    );
    expect(d?.series.map((s) => s.name)).toEqual(['勞動力', '就業者']);
    expect(d?.valueLabel).toBe('數值');
  });

  it('names lines by a code column’s label column when the two go one to one', () => {
    const byIndustry = planTimeSeries([col('年月', 'date'), col('industry_code', 'text'), col('industry', 'text', { label: '行業' }), col('薪資', 'integer')]);
    if (!byIndustry) throw new Error('no plan');
    const d = seriesFromRows(
      byIndustry,
      [
        ['2024-01', 50000, '00', '工業及服務業'],
        ['2024-01', 52000, 'B', '礦業'],
        ['2024-02', 50100, '00', '工業及服務業'],
        ['2024-02', 52100, 'B', '礦業'],
      ],
      'zh-TW',
    );
    expect(d?.series.map((s) => s.name)).toEqual(['工業及服務業', '礦業']);
  });

  it('is not a series when a line has two values for one date (a list of events) or only one date', () => {
    expect(seriesFromRows(plan, [...rows, ['2024-03', 99, 0]], 'zh-TW')).toBeUndefined();
    expect(seriesFromRows(plan, rows.slice(0, 2), 'zh-TW')).toBeUndefined();
  });
});

describe('the SVG', () => {
  const plan = planTimeSeries([col('年月', 'date', { label: '年月' }), col('項目', 'text'), col('指數', 'decimal', { unit: '2021年=100' })]);
  if (!plan) throw new Error('no plan');

  it('comes out as an SVG image named by its summary, pointing at its data table, with the series names in Chinese', () => {
    const d = seriesFromRows(
      plan,
      [
        ['2024-01', 100.5, '總指數'],
        ['2024-02', 101.25, '總指數'],
        ['2024-01', 99, '食物類'],
        ['2024-02', 98.5, '食物類'],
      ],
      'zh-TW',
    );
    if (!d) throw new Error('no data');
    const { svg, summary } = renderLineChart(d, { lang: 'zh-TW', describedBy: 'chart-data-x' });
    expect(svg.startsWith('<svg role="img" aria-label="')).toBe(true);
    expect(svg).toContain('aria-describedby="chart-data-x"');
    expect(svg).toContain(`<title>${summary}</title>`);
    expect(svg.trimEnd().endsWith('</svg>')).toBe(true);
    expect(svg).toContain('>總指數</text>');
    expect(svg).toContain('>食物類</text>');
    expect(svg).toContain('Noto Sans CJK TC');
    expect(summary).toBe('折線圖：指數（2021年=100），2024-01 至 2024-02，共 2 條線。最新數值：總指數 101.25（2024-02）；食物類 98.5（2024-02）。');
    const en = renderLineChart(d, { lang: 'en' });
    expect(en.summary).toBe('Line chart of 指數 (2021年=100) from 2024-01 to 2024-02, 2 lines. Latest values: 總指數 101.25 (2024-02); 食物類 98.5 (2024-02).');
    expect(en.svg).not.toContain('aria-describedby');
  });

  it('escapes hostile series and column names: they stay text in the SVG, its title and its label', () => {
    const evil = '<script>alert(1)</script>"\'&<img src=x onerror=alert(1)>';
    const hostile = planTimeSeries([col('d', 'date', { label: evil }), col(evil, 'text'), col(`v${evil}`, 'decimal', { label: evil, unit: evil })]);
    if (!hostile) throw new Error('no plan');
    const d = seriesFromRows(
      hostile,
      [
        ['2024', 1, evil],
        ['2025', 2, evil],
        ['2024', 3, `${evil}2`],
        ['2025', 4, `${evil}2`],
      ],
      'en',
    );
    if (!d) throw new Error('no data');
    const { svg } = renderLineChart(d, { lang: 'en', describedBy: `x" onload="alert(1)` });
    expect(svg).not.toMatch(/<script|<img/i);
    expect(svg).toContain('>&lt;script&gt;alert(1)&lt;/script&gt;&quot;&#39;&amp;&lt;img src=x onerror=alert(1)&gt;</text>');
    expect(svg).toContain('aria-describedby="x&quot; onload=&quot;alert(1)"');
    // Only the tags ECharts writes for a chart, and no attribute an injected name made.
    expect(svgProblems(svg)).toEqual([]);
  });
});
