/**
 * The demo catalogue (示範資料): forty tables shaped like the ones DGBAS publishes (prices,
 * national accounts, household income, manpower and earnings, budgets and final accounts,
 * censuses, county statistics, gender statistics, the open-data list). Titles, fields, code
 * meanings and release calendars follow the real publications; every number is generated
 * (demo.files.ts) and the notes say so. Nothing here is official statistics.
 *
 * Identifiers use the serials DEMO01…DEMO40: real serials are six digits, so these can never
 * collide with a dataset the agency imports from data.gov.tw.
 */
import type { FieldDef } from '../catalogue/national.ts';
import type { Schedule } from './demo.periods.ts';

export type Cell = string | number | null;
export type Row = Record<string, Cell>;

export interface DimValue {
  code: string;
  label: string;
  /** Multiplies the series' base for this value (product over all dimensions). */
  w?: number;
  /** Added to the series' annual drift, in percentage points. */
  drift?: number;
}

export interface CalcContext {
  /** Calendar year of the period. */
  year: number;
  /** 0-based month, quarter or half inside the year. */
  inYear: number;
  /** Deterministic random number in [0, 1) for this row and field. */
  random: () => number;
}

/** How a column's values are made. Fields without one are filled by the dataset's own `rows`. */
export type Gen =
  | { kind: 'period' }
  /** A dimension: rows are the product of all dimensions. `show: 'code'` writes the code and lists code meanings. */
  | { kind: 'dim'; values: DimValue[]; show: 'code' | 'label' }
  /** The label of a dimension shown as a code in another column. */
  | { kind: 'label'; of: string }
  /** A level that grows by `drift` % a year with `vol` % noise per period (indices, amounts). */
  | { kind: 'walk'; base: number; drift: number; vol: number; decimals: number; rebaseYear?: number }
  /** A rate that wanders around `base` (plus `trend` points a year): unemployment, participation. `weighted: false` ignores dimension weights. */
  | { kind: 'level'; base: number; vol: number; trend?: number; decimals: number; weighted?: boolean }
  /** Percentage change of a walk or level against `lag` periods earlier ('year' = same period last year). */
  | { kind: 'change'; of: string; lag: 'year' | 'period'; decimals: number }
  /** A walk or level as it was `lag` periods earlier (上年度預算數). */
  | { kind: 'lagged'; of: string; lag: 'year' | 'period'; decimals: number }
  /** Derived from earlier columns of the same row. */
  | { kind: 'calc'; decimals: number; fn: (row: Row, at: CalcContext) => number };

export interface DemoField extends FieldDef {
  gen?: Gen;
  /** Decimal places written for a number filled by the dataset's own `rows`. */
  decimals?: number;
}

export type DemoFormat = 'CSV' | 'JSON' | 'XML';

export interface ListingEntry {
  identifier: string;
  title: string;
  unitTitle: string;
  categoryCode: string;
  updateFrequency: string;
  formats: string;
  modified: string;
}

/** What a dataset's own `rows` function may use. */
export interface TableContext {
  /** Periods released before the reference date, oldest first (indices as in demo.periods.ts). */
  periods: number[];
  /** A period's label as the table shows it (2024-01, 2024Q1, 113…). */
  label: (idx: number) => string;
  /** Deterministic random numbers for this dataset. */
  random: () => number;
  /** Every demo dataset as the catalogue lists it (for the open-data list). */
  listing: ListingEntry[];
}

export interface OnApplication {
  costUrl: string;
  costLaw: string;
}

export interface DemoDataset {
  serial: string;
  /** File names are /demo/files/<slug>.<ext>; the dataset's URL name is demo-<slug>. */
  slug: string;
  /** The unit it belongs to when that unit is configured (else spread over the configured units). */
  unit: string;
  categoryCode: string;
  title: string;
  titleEn: string;
  description: string;
  keywords: string[];
  schedule: Schedule;
  fields: DemoField[];
  formats: DemoFormat[];
  landingPage?: string;
  /** Said after the 示範資料 notice: e.g. why it is irregular. */
  notes?: string;
  onApplication?: OnApplication;
  /** A list rather than a time series: no 開始/結束收錄日期. */
  noTemporal?: boolean;
  rows?: (ctx: TableContext) => Row[];
}

export interface Contact {
  name: string;
  phone: string;
  email: string;
}

/** Obviously fictitious contacts, one per unit (the 王小明 of Taiwanese forms). */
export const CONTACTS: Record<string, Contact> = {
  dgbas: { name: '劉示範 小姐', phone: '02-2380-3001', email: 'demo.dgbas@dgbas.gov.tw' },
  'public-budget': { name: '林大同 先生', phone: '02-2380-3102', email: 'demo.budget@dgbas.gov.tw' },
  'fund-budget': { name: '李小華 小姐', phone: '02-2380-3203', email: 'demo.fund@dgbas.gov.tw' },
  accounting: { name: '張志明 先生', phone: '02-2380-3304', email: 'demo.accounting@dgbas.gov.tw' },
  statistics: { name: '王小明 先生', phone: '02-2380-3405', email: 'demo.statistics@dgbas.gov.tw' },
  census: { name: '陳小美 小姐', phone: '02-2380-3506', email: 'demo.census@dgbas.gov.tw' },
  'local-statistics': { name: '黃小芳 小姐', phone: '02-2380-3607', email: 'demo.local@dgbas.gov.tw' },
  it: { name: '吳大仁 先生', phone: '02-2380-3708', email: 'demo.opendata@dgbas.gov.tw' },
};

export const DEMO_NOTICE = '示範資料：本資料集供 Kaifang 平臺展示使用，數值由程式產生，並非官方統計，請勿引用。Demo data: generated numbers, not official statistics.';

const DGBAS = 'https://www.dgbas.gov.tw/';
const STAT = 'https://www.stat.gov.tw/';

// ---- helpers that keep the definitions short -------------------------------------------------

const period = (name = 'period', title = '統計期'): DemoField => ({ name, title, type: 'text', gen: { kind: 'period' } });
const dim = (name: string, title: string, values: DimValue[], description?: string): DemoField => ({
  name,
  title,
  type: 'text',
  ...(description ? { description } : {}),
  gen: { kind: 'dim', values, show: 'code' },
});
const names = (name: string, title: string, values: DimValue[], description?: string): DemoField => ({
  name,
  title,
  type: 'text',
  ...(description ? { description } : {}),
  gen: { kind: 'dim', values, show: 'label' },
});
const label = (name: string, title: string, of: string): DemoField => ({ name, title, type: 'text', gen: { kind: 'label', of } });
const num = (name: string, title: string, description: string, gen: Gen): DemoField => ({
  name,
  title,
  description,
  type: 'decimals' in gen && gen.decimals > 0 ? 'decimal' : 'integer',
  gen,
});
const walk = (base: number, drift: number, vol: number, decimals = 0): Gen => ({ kind: 'walk', base, drift, vol, decimals });
/** A price index whose base-year average is 100, as its description promises. */
const index = (drift: number, vol: number, baseYear = 2021): Gen => ({ kind: 'walk', base: 100, drift, vol, decimals: 2, rebaseYear: baseYear });
const level = (base: number, vol: number, decimals = 2, trend = 0): Gen => ({ kind: 'level', base, vol, decimals, trend });
/** A level that dimension weights do not scale (a county's sex ratio is not proportional to its size). */
const rate = (base: number, vol: number, decimals = 2, trend = 0): Gen => ({ kind: 'level', base, vol, decimals, trend, weighted: false });
const yoy = (of: string, decimals = 2): Gen => ({ kind: 'change', of, lag: 'year', decimals });
const prev = (of: string, lag: 'year' | 'period' = 'year'): Gen => ({ kind: 'lagged', of, lag, decimals: 0 });
const calc = (fn: (row: Row, at: CalcContext) => number, decimals = 0): Gen => ({ kind: 'calc', fn, decimals });
const n = (row: Row, key: string): number => Number(row[key] ?? 0);
const text = (name: string, title: string, description?: string, type = 'text'): DemoField => ({ name, title, type, ...(description ? { description } : {}) });

const monthly = (fromYear: number, lagDays: number): Schedule => ({ granularity: 'month', fromYear, lagDays });
const quarterly = (fromYear: number, lagDays: number): Schedule => ({ granularity: 'quarter', fromYear, lagDays });
const yearly = (fromYear: number, lagDays: number, rocYears = false): Schedule => ({ granularity: 'year', fromYear, lagDays, rocYears });
/** Budgets for fiscal year Y are enacted around the turn of the year, before Y ends. */
const fiscal = (fromYear: number, lagDays = -340): Schedule => yearly(fromYear, lagDays, true);

// ---- code lists ----------------------------------------------------------------------------

const SEX: DimValue[] = [
  { code: '1', label: '男', w: 1.04 },
  { code: '2', label: '女', w: 0.95 },
];
const SEX_TOTAL: DimValue[] = [{ code: '0', label: '合計', w: 1 }, ...SEX];

/** 縣市別代碼 as in the government data standard (schema.gov.tw), with rough relative sizes. */
const COUNTIES: (DimValue & { pop: number; income: number; farm: number })[] = [
  { code: '65000', label: '新北市', pop: 4.0, income: 1.03, farm: 0.25 },
  { code: '63000', label: '臺北市', pop: 2.5, income: 1.38, farm: 0.05 },
  { code: '68000', label: '桃園市', pop: 2.3, income: 1.1, farm: 0.5 },
  { code: '66000', label: '臺中市', pop: 2.85, income: 1.02, farm: 1.0 },
  { code: '67000', label: '臺南市', pop: 1.86, income: 0.9, farm: 1.2 },
  { code: '64000', label: '高雄市', pop: 2.73, income: 0.97, farm: 0.8 },
  { code: '10002', label: '宜蘭縣', pop: 0.45, income: 0.88, farm: 0.5 },
  { code: '10004', label: '新竹縣', pop: 0.59, income: 1.24, farm: 0.35 },
  { code: '10005', label: '苗栗縣', pop: 0.54, income: 0.9, farm: 0.5 },
  { code: '10007', label: '彰化縣', pop: 1.25, income: 0.87, farm: 1.5 },
  { code: '10008', label: '南投縣', pop: 0.48, income: 0.79, farm: 0.9 },
  { code: '10009', label: '雲林縣', pop: 0.67, income: 0.8, farm: 1.4 },
  { code: '10010', label: '嘉義縣', pop: 0.49, income: 0.77, farm: 1.0 },
  { code: '10013', label: '屏東縣', pop: 0.8, income: 0.8, farm: 1.1 },
  { code: '10014', label: '臺東縣', pop: 0.21, income: 0.76, farm: 0.4 },
  { code: '10015', label: '花蓮縣', pop: 0.32, income: 0.84, farm: 0.4 },
  { code: '10016', label: '澎湖縣', pop: 0.11, income: 0.81, farm: 0.15 },
  { code: '10017', label: '基隆市', pop: 0.36, income: 0.95, farm: 0.03 },
  { code: '10018', label: '新竹市', pop: 0.45, income: 1.3, farm: 0.06 },
  { code: '10020', label: '嘉義市', pop: 0.26, income: 0.92, farm: 0.08 },
  { code: '09020', label: '金門縣', pop: 0.14, income: 0.86, farm: 0.08 },
  { code: '09007', label: '連江縣', pop: 0.014, income: 0.96, farm: 0.01 },
];
const countyDim = (weight: 'pop' | 'income' | 'farm' | 'none'): DimValue[] =>
  COUNTIES.map((c) => ({ code: c.code, label: c.label, w: weight === 'none' ? 1 : c[weight] }));
const COUNTY_CODE_NOTE = '依政府資料標準縣市別代碼';

/** 中華民國行業標準分類 sections, with rough relative earnings. */
const INDUSTRIES: DimValue[] = [
  { code: '00', label: '工業及服務業', w: 1 },
  { code: 'B', label: '礦業及土石採取業', w: 1.05 },
  { code: 'C', label: '製造業', w: 1.0 },
  { code: 'D', label: '電力及燃氣供應業', w: 1.9 },
  { code: 'E', label: '用水供應及污染整治業', w: 0.95 },
  { code: 'F', label: '營建工程業', w: 0.93 },
  { code: 'G', label: '批發及零售業', w: 0.93 },
  { code: 'H', label: '運輸及倉儲業', w: 1.02 },
  { code: 'I', label: '住宿及餐飲業', w: 0.7 },
  { code: 'J', label: '出版影音及資通訊業', w: 1.35 },
  { code: 'K', label: '金融及保險業', w: 1.6 },
  { code: 'L', label: '不動產業', w: 0.9 },
  { code: 'M', label: '專業、科學及技術服務業', w: 1.2 },
  { code: 'N', label: '支援服務業', w: 0.72 },
  { code: 'Q', label: '醫療保健及社會工作服務業', w: 1.15 },
  { code: 'R', label: '藝術、娛樂及休閒服務業', w: 0.8 },
  { code: 'S', label: '其他服務業', w: 0.68 },
];

const CPI_GROUPS: DimValue[] = [
  { code: '000', label: '總指數' },
  { code: '100', label: '食物類', drift: 1.0 },
  { code: '200', label: '衣著類', drift: -0.6 },
  { code: '300', label: '居住類', drift: 0 },
  { code: '400', label: '交通及通訊類', drift: -0.4 },
  { code: '500', label: '醫藥保健類', drift: 0.4 },
  { code: '600', label: '教養娛樂類', drift: -0.2 },
  { code: '700', label: '雜項類', drift: 0.5 },
];

/** Agencies with rough expenditure budgets in NT$ thousand. */
const AGENCIES: DimValue[] = (
  [
  ['總統府', 2.1e6], ['行政院', 5.8e6], ['立法院', 3.9e6], ['司法院', 2.2e7], ['考試院', 1.9e6], ['監察院', 9.2e5],
  ['內政部', 1.1e8], ['外交部', 2.6e7], ['國防部', 3.2e8], ['財政部', 2.3e8], ['教育部', 2.1e8], ['法務部', 3.6e7],
  ['經濟部', 6.8e7], ['交通部', 1.0e8], ['勞動部', 1.3e8], ['衛生福利部', 2.0e8], ['農業部', 7.8e7], ['環境部', 1.2e7],
  ['文化部', 1.9e7], ['數位發展部', 4.5e6],
  ] as const
).map(([label, w], i) => ({ code: String(i + 1).padStart(2, '0'), label, w }));

const FUNCTIONS: DimValue[] = [
  { code: '1', label: '一般政務支出', w: 1.9e8 },
  { code: '2', label: '國防支出', w: 3.2e8, drift: 1.5 },
  { code: '3', label: '教育科學文化支出', w: 4.0e8 },
  { code: '4', label: '經濟發展支出', w: 2.7e8 },
  { code: '5', label: '社會福利支出', w: 4.6e8, drift: 1 },
  { code: '6', label: '社區發展及環境保護支出', w: 2.4e7 },
  { code: '7', label: '退休撫卹支出', w: 1.4e8, drift: -1 },
  { code: '8', label: '債務付息支出', w: 1.1e8, drift: -3 },
  { code: '9', label: '一般補助及其他支出', w: 1.1e8 },
];

/** State-owned enterprises with rough annual revenue in NT$ thousand. */
const ENTERPRISES: DimValue[] = (
  [
    ['台灣電力股份有限公司', 5.6e8], ['台灣中油股份有限公司', 9.5e8], ['台灣自來水股份有限公司', 3.4e7],
    ['中華郵政股份有限公司', 1.2e8], ['台灣糖業股份有限公司', 2.8e7], ['臺灣菸酒股份有限公司', 6.4e7],
    ['臺灣銀行股份有限公司', 1.1e8], ['臺灣土地銀行股份有限公司', 5.2e7], ['桃園國際機場股份有限公司', 2.4e7],
  ] as const
).map(([label, w], i) => ({ code: String(i + 1).padStart(2, '0'), label, w }));

// ---- the datasets --------------------------------------------------------------------------

const PRICE_KEYWORDS = ['物價', '物價指數', '通貨膨脹'];

export const DEMO_DATASETS: DemoDataset[] = [
  {
    serial: 'DEMO01',
    slug: 'key-indicators',
    unit: 'dgbas',
    categoryCode: '800',
    title: '主要總體經濟指標（經濟成長率、物價上漲率、失業率）',
    titleEn: 'Key macroeconomic indicators (growth, inflation, unemployment)',
    description: '按季彙整經濟成長率、消費者物價指數年增率、失業率及受僱員工平均每人月薪資等主要總體經濟指標，便利快速掌握國內經濟情勢。各項指標定義詳見各統計發布。',
    keywords: ['經濟成長率', '物價', '失業率', '薪資', '總體經濟'],
    schedule: quarterly(2015, 50),
    fields: [
      period('period', '季別'),
      num('gdp_growth', '經濟成長率', '實質GDP年增率，%', level(2.8, 1.2, 2)),
      num('cpi_inflation', '消費者物價上漲率', 'CPI年增率，%', level(1.5, 0.5, 2)),
      num('unemployment_rate', '失業率', '季平均，%', level(3.7, 0.12, 2, -0.03)),
      num('average_earnings', '平均每人月薪資', '受僱員工總薪資，新臺幣元', walk(46_500, 2.1, 0.6)),
    ],
    formats: ['CSV', 'JSON', 'XML'],
    landingPage: STAT,
  },
  {
    serial: 'DEMO02',
    slug: 'release-calendar',
    unit: 'dgbas',
    categoryCode: 'I00',
    title: '主計總處重要統計資料預告發布時間表',
    titleEn: 'Advance release calendar of major statistics',
    description: '依統計法規定預先公告次年度各項重要統計（物價指數、人力資源調查、受僱員工薪資、國民所得）之發布日期、時間及資料期別，每年12月公布次年時間表。',
    keywords: ['統計發布', '預告時間表', '物價', '失業率', '薪資'],
    schedule: yearly(2024, -380),
    fields: [
      text('release_date', '發布日期', '西元年月日，YYYY-MM-DD', 'date'),
      text('release_time', '發布時間', '24小時制，hh:mm'),
      text('item', '統計項目'),
      text('reference_period', '資料期別', '如 2024-01、2024Q1'),
      text('department', '發布單位'),
    ],
    formats: ['CSV', 'JSON'],
    landingPage: STAT,
    rows: releaseCalendarRows,
  },
  // ---- 公務預算處 -----------------------------------------------------------------------
  {
    serial: 'DEMO03',
    slug: 'central-budget-by-agency',
    unit: 'public-budget',
    categoryCode: 'I00',
    title: '中央政府總預算歲出機關別預算表',
    titleEn: 'Central government general budget: expenditure by agency',
    description: '中央政府總預算法定預算之歲出機關別預算數，並列上年度預算數及增減比較，單位新臺幣千元。機關名稱以現行組織名稱表示。',
    keywords: ['預算', '總預算', '歲出', '機關別'],
    schedule: fiscal(2016),
    fields: [
      period('fiscal_year', '年度'),
      names('agency', '機關名稱', AGENCIES),
      num('budget_amount', '本年度預算數', '新臺幣千元', walk(1, 4, 2)),
      num('previous_amount', '上年度預算數', '新臺幣千元', prev('budget_amount')),
      num('change_amount', '比較增減數', '新臺幣千元', calc((r) => n(r, 'budget_amount') - n(r, 'previous_amount'))),
    ],
    formats: ['CSV', 'JSON', 'XML'],
    landingPage: DGBAS,
  },
  {
    serial: 'DEMO04',
    slug: 'central-budget-revenue',
    unit: 'public-budget',
    categoryCode: 'I00',
    title: '中央政府總預算歲入來源別預算表',
    titleEn: 'Central government general budget: revenue by source',
    description: '中央政府總預算法定預算之歲入來源別預算數及其較上年度增減，單位新臺幣千元。',
    keywords: ['預算', '總預算', '歲入', '稅課收入'],
    schedule: fiscal(2016),
    fields: [
      period('fiscal_year', '年度'),
      dim('source', '來源別', [
        { code: '1', label: '稅課收入', w: 1.4e9 },
        { code: '2', label: '獨占及專賣收入', w: 2.6e6 },
        { code: '3', label: '罰款及賠償收入', w: 1.5e7 },
        { code: '4', label: '規費收入', w: 5.5e7 },
        { code: '5', label: '財產收入', w: 4.0e7 },
        { code: '6', label: '營業盈餘及事業收入', w: 3.3e8 },
        { code: '7', label: '捐獻及贈與收入', w: 1.0e6 },
        { code: '8', label: '其他收入', w: 1.5e7 },
      ]),
      num('budget_amount', '預算數', '新臺幣千元', walk(1, 4, 3)),
      num('change_rate', '較上年度增減率', '%', yoy('budget_amount')),
    ],
    formats: ['CSV', 'JSON', 'XML'],
    landingPage: DGBAS,
  },
  {
    serial: 'DEMO05',
    slug: 'central-budget-by-function',
    unit: 'public-budget',
    categoryCode: 'I00',
    title: '中央政府總預算歲出政事別預算表',
    titleEn: 'Central government general budget: expenditure by function',
    description: '中央政府總預算法定預算之歲出政事別預算數，按一般政務、國防、教育科學文化、經濟發展、社會福利等政事別分，單位新臺幣千元。',
    keywords: ['預算', '總預算', '歲出', '政事別'],
    schedule: fiscal(2016),
    fields: [
      period('fiscal_year', '年度'),
      dim('function', '政事別', FUNCTIONS),
      num('budget_amount', '預算數', '新臺幣千元', walk(1, 3.5, 2)),
      num('change_rate', '較上年度增減率', '%', yoy('budget_amount')),
    ],
    formats: ['CSV', 'JSON', 'XML'],
    landingPage: DGBAS,
  },
  {
    serial: 'DEMO06',
    slug: 'special-budgets',
    unit: 'public-budget',
    categoryCode: 'I00',
    title: '中央政府特別預算彙總表',
    titleEn: 'Central government special budgets',
    description: '依特別條例編列之中央政府特別預算，列示預算名稱、執行期間、法源依據及法定預算數，單位新臺幣千元。',
    keywords: ['預算', '特別預算', '特別條例'],
    schedule: { ...fiscal(2017), irregular: true },
    fields: [
      text('budget_name', '特別預算名稱'),
      text('period_from', '執行期間起', '民國年'),
      text('period_to', '執行期間迄', '民國年'),
      text('legal_basis', '法源依據', '特別條例名稱'),
      { name: 'approved_amount', title: '法定預算數', description: '新臺幣千元', type: 'integer' },
    ],
    formats: ['CSV', 'JSON', 'XML'],
    notes: '不定期：特別預算依特別條例編列，經立法院審議通過後更新。',
    rows: specialBudgetRows,
  },
  {
    serial: 'DEMO07',
    slug: 'central-budget-by-object',
    unit: 'public-budget',
    categoryCode: 'I00',
    title: '中央政府總預算歲出用途別預算表',
    titleEn: 'Central government general budget: expenditure by object',
    description: '中央政府總預算法定預算之歲出用途別預算數（人事費、業務費、設備及投資、獎補助費、債務費、預備金），單位新臺幣千元。',
    keywords: ['預算', '總預算', '用途別', '人事費'],
    schedule: fiscal(2016),
    fields: [
      period('fiscal_year', '年度'),
      dim('object', '用途別', [
        { code: '1', label: '人事費', w: 4.5e8 },
        { code: '2', label: '業務費', w: 2.2e8 },
        { code: '3', label: '設備及投資', w: 1.6e8 },
        { code: '4', label: '獎補助費', w: 1.0e9 },
        { code: '5', label: '債務費', w: 1.1e8, drift: -3 },
        { code: '6', label: '預備金', w: 8.0e6, drift: -4 },
      ]),
      num('budget_amount', '預算數', '新臺幣千元', walk(1, 3.8, 2)),
      num('change_rate', '較上年度增減率', '%', yoy('budget_amount')),
    ],
    formats: ['CSV', 'XML'],
    landingPage: DGBAS,
  },
  // ---- 基金預算處 -----------------------------------------------------------------------
  {
    serial: 'DEMO08',
    slug: 'enterprise-fund-budget',
    unit: 'fund-budget',
    categoryCode: '800',
    title: '中央政府總預算附屬單位預算—營業基金損益彙總表',
    titleEn: 'Subsidiary budgets: income statements of state-owned enterprises',
    description: '中央政府特種基金附屬單位預算中營業基金（國營事業）之營業收入、營業成本及費用與本期淨利，單位新臺幣千元。',
    keywords: ['附屬單位預算', '營業基金', '國營事業', '預算'],
    schedule: fiscal(2016),
    fields: [
      period('fiscal_year', '年度'),
      names('enterprise', '事業名稱', ENTERPRISES),
      num('revenue', '營業收入', '新臺幣千元', walk(1, 2.5, 5)),
      num('expense', '營業成本及費用', '新臺幣千元', calc((r, at) => n(r, 'revenue') * (0.86 + 0.16 * at.random()))),
      num('net_income', '本期淨利', '新臺幣千元；負數為淨損', calc((r) => n(r, 'revenue') - n(r, 'expense'))),
    ],
    formats: ['CSV', 'JSON', 'XML'],
    landingPage: DGBAS,
  },
  {
    serial: 'DEMO09',
    slug: 'non-enterprise-fund-budget',
    unit: 'fund-budget',
    categoryCode: '800',
    title: '中央政府總預算附屬單位預算—非營業特種基金綜計表',
    titleEn: 'Subsidiary budgets: non-enterprise special funds by type',
    description: '中央政府非營業特種基金附屬單位預算之基金來源、基金用途及賸餘（短絀），按作業基金、債務基金、特別收入基金及資本計畫基金分，單位新臺幣千元。',
    keywords: ['附屬單位預算', '特種基金', '非營業基金', '預算'],
    schedule: fiscal(2016),
    fields: [
      period('fiscal_year', '年度'),
      dim('fund_type', '基金類別', [
        { code: '1', label: '作業基金', w: 1.1e9 },
        { code: '2', label: '債務基金', w: 1.3e8 },
        { code: '3', label: '特別收入基金', w: 2.9e8 },
        { code: '4', label: '資本計畫基金', w: 6.0e7 },
      ]),
      num('sources', '基金來源', '新臺幣千元', walk(1, 3, 4)),
      num('uses', '基金用途', '新臺幣千元', calc((r, at) => n(r, 'sources') * (0.93 + 0.12 * at.random()))),
      num('surplus', '賸餘（短絀）', '新臺幣千元；負數為短絀', calc((r) => n(r, 'sources') - n(r, 'uses'))),
    ],
    formats: ['CSV', 'JSON', 'XML'],
    landingPage: DGBAS,
  },
  {
    serial: 'DEMO10',
    slug: 'enterprise-surplus-to-treasury',
    unit: 'fund-budget',
    categoryCode: '800',
    title: '國營事業預算盈餘繳庫數',
    titleEn: 'Budgeted surplus paid to the treasury by state-owned enterprises',
    description: '中央政府營業基金附屬單位預算所列各國營事業應繳國庫盈餘數，單位新臺幣千元。',
    keywords: ['國營事業', '盈餘繳庫', '營業基金', '預算'],
    schedule: fiscal(2016),
    fields: [
      period('fiscal_year', '年度'),
      names('enterprise', '事業名稱', ENTERPRISES),
      num('surplus_to_treasury', '盈餘繳庫數', '新臺幣千元', walk(0.05, 1.5, 8)),
    ],
    formats: ['CSV', 'JSON'],
    landingPage: DGBAS,
  },
  {
    serial: 'DEMO11',
    slug: 'special-fund-scale',
    unit: 'fund-budget',
    categoryCode: 'I00',
    title: '中央政府特種基金預算基金數及預算規模',
    titleEn: 'Number and size of central government special funds',
    description: '中央政府特種基金（營業基金、非營業特種基金）之基金數及預算規模（收入或基金來源合計），單位新臺幣千元。',
    keywords: ['特種基金', '附屬單位預算', '預算規模'],
    schedule: fiscal(2016),
    fields: [
      period('fiscal_year', '年度'),
      dim('fund_class', '基金別', [
        { code: '1', label: '營業基金', w: 1 },
        { code: '2', label: '非營業特種基金', w: 4.2 },
      ]),
      num('fund_count', '基金數', '個', calc((r) => (r.fund_class === '1' ? 17 : 92))),
      num('budget_scale', '預算規模', '新臺幣千元', walk(2.3e9, 2.5, 3)),
    ],
    formats: ['CSV', 'JSON', 'XML'],
  },
  // ---- 會計決算處 -----------------------------------------------------------------------
  {
    serial: 'DEMO12',
    slug: 'central-final-accounts',
    unit: 'accounting',
    categoryCode: 'I00',
    title: '中央政府總決算歲入歲出簡明比較表',
    titleEn: 'Central government final accounts: revenue and expenditure',
    description: '中央政府總決算之歲入、歲出預算數與決算數及執行率，於每年4月底總決算提出監察院後更新，單位新臺幣千元。',
    keywords: ['總決算', '決算', '歲入', '歲出', '預算執行'],
    schedule: yearly(2015, 125, true),
    fields: [
      period('fiscal_year', '年度'),
      dim('account', '收支別', [
        { code: '1', label: '歲入', w: 1.95e9 },
        { code: '2', label: '歲出', w: 2.0e9 },
      ]),
      num('budget_amount', '預算數', '新臺幣千元', walk(1, 4, 2)),
      num('final_amount', '決算數', '新臺幣千元', calc((r, at) => n(r, 'budget_amount') * (r.account === '1' ? 1.0 + 0.07 * at.random() : 0.95 + 0.03 * at.random()))),
      num('execution_rate', '執行率', '決算數÷預算數，%', calc((r) => (100 * n(r, 'final_amount')) / n(r, 'budget_amount'), 2)),
    ],
    formats: ['CSV', 'JSON', 'XML'],
    landingPage: DGBAS,
  },
  {
    serial: 'DEMO13',
    slug: 'final-accounts-by-function',
    unit: 'accounting',
    categoryCode: 'I00',
    title: '中央政府總決算歲出政事別決算表',
    titleEn: 'Central government final accounts: expenditure by function',
    description: '中央政府總決算歲出按政事別分之預算數、決算數及執行率，單位新臺幣千元。',
    keywords: ['總決算', '決算', '政事別', '歲出'],
    schedule: yearly(2015, 125, true),
    fields: [
      period('fiscal_year', '年度'),
      dim('function', '政事別', FUNCTIONS),
      num('budget_amount', '預算數', '新臺幣千元', walk(1, 3.5, 2)),
      num('final_amount', '決算數', '新臺幣千元', calc((r, at) => n(r, 'budget_amount') * (0.9 + 0.09 * at.random()))),
      num('execution_rate', '執行率', '%', calc((r) => (100 * n(r, 'final_amount')) / n(r, 'budget_amount'), 2)),
    ],
    formats: ['CSV', 'XML'],
    landingPage: DGBAS,
  },
  {
    serial: 'DEMO14',
    slug: 'budget-execution-monthly',
    unit: 'accounting',
    categoryCode: 'I00',
    title: '中央政府總預算歲入歲出執行月報',
    titleEn: 'Monthly execution of the central government general budget',
    description: '中央政府總預算歲入、歲出之全年預算數與截至當月累計實收（實付）數及執行率，每月25日前更新，單位新臺幣千元。',
    keywords: ['預算執行', '總預算', '會計月報', '歲入', '歲出'],
    schedule: monthly(2019, 25),
    fields: [
      period('period', '資料年月'),
      dim('account', '收支別', [
        { code: '1', label: '歲入', w: 2.3e9 },
        { code: '2', label: '歲出', w: 2.35e9 },
      ]),
      num('annual_budget', '全年預算數', '新臺幣千元', walk(1, 4, 0.05)),
      num('cumulative_actual', '累計實收（實付）數', '新臺幣千元', calc((r, at) => (n(r, 'annual_budget') * (at.inYear + 1) * (0.9 + 0.08 * at.random())) / 12)),
      num('execution_rate', '累計執行率', '累計數÷全年預算數，%', calc((r) => (100 * n(r, 'cumulative_actual')) / n(r, 'annual_budget'), 2)),
    ],
    formats: ['CSV', 'JSON', 'XML'],
    landingPage: DGBAS,
  },
  {
    serial: 'DEMO15',
    slug: 'government-balance-half-year',
    unit: 'accounting',
    categoryCode: 'I00',
    title: '各級政府收支餘絀（半年統計）',
    titleEn: 'Revenue, expenditure and balance of all levels of government (half-yearly)',
    description: '中央、直轄市、縣市及鄉鎮市各級政府每半年之收入、支出及餘絀，單位新臺幣千元。',
    keywords: ['政府收支', '餘絀', '各級政府', '決算'],
    schedule: { granularity: 'half', fromYear: 2018, lagDays: 75 },
    fields: [
      period('period', '期別'),
      dim('government_level', '政府層級', [
        { code: '1', label: '中央政府', w: 1.05e9 },
        { code: '2', label: '直轄市', w: 4.6e8 },
        { code: '3', label: '縣市', w: 1.8e8 },
        { code: '4', label: '鄉鎮市', w: 4.0e7 },
      ]),
      num('revenue', '收入', '新臺幣千元', walk(1, 3.5, 2)),
      num('expenditure', '支出', '新臺幣千元', calc((r, at) => n(r, 'revenue') * (0.94 + 0.1 * at.random()))),
      num('balance', '餘絀', '收入－支出，新臺幣千元', calc((r) => n(r, 'revenue') - n(r, 'expenditure'))),
    ],
    formats: ['CSV', 'JSON'],
  },
  {
    serial: 'DEMO16',
    slug: 'enterprise-final-accounts',
    unit: 'accounting',
    categoryCode: '800',
    title: '中央政府附屬單位決算—營業基金盈虧彙總表',
    titleEn: 'Subsidiary final accounts: profit and loss of state-owned enterprises',
    description: '各國營事業（營業基金）本期淨利（淨損）之預算數與決算數比較，單位新臺幣千元。',
    keywords: ['附屬單位決算', '營業基金', '國營事業', '決算'],
    schedule: yearly(2015, 130, true),
    fields: [
      period('fiscal_year', '年度'),
      names('enterprise', '事業名稱', ENTERPRISES),
      num('budget_net_income', '預算數', '本期淨利，新臺幣千元', walk(0.06, 2, 6)),
      num('final_net_income', '決算數', '本期淨利，新臺幣千元；負數為淨損', calc((r, at) => n(r, 'budget_net_income') * (0.6 + 0.9 * at.random()))),
    ],
    formats: ['CSV', 'JSON', 'XML'],
    landingPage: DGBAS,
  },
  // ---- 綜合統計處 -----------------------------------------------------------------------
  {
    serial: 'DEMO17',
    slug: 'cpi',
    unit: 'statistics',
    categoryCode: '800',
    title: '消費者物價指數及其年增率',
    titleEn: 'Consumer price index (CPI) and annual change',
    description: '消費者物價指數（CPI）衡量家庭購買消費性商品及服務之價格變動，按七大類分列指數、月增率及年增率，基期為民國110年（2021年=100），每月上旬發布上月資料。',
    keywords: [...PRICE_KEYWORDS, 'CPI', '消費者物價'],
    schedule: monthly(2015, 5),
    fields: [
      period(),
      dim('item', '項目', CPI_GROUPS),
      num('index', '指數', '2021年=100', index(1.6, 0.25)),
      num('mom_change', '月增率', '%', { kind: 'change', of: 'index', lag: 'period', decimals: 2 }),
      num('yoy_change', '年增率', '%', yoy('index')),
    ],
    formats: ['CSV', 'JSON', 'XML'],
    landingPage: STAT,
  },
  {
    serial: 'DEMO18',
    slug: 'wpi',
    unit: 'statistics',
    categoryCode: '800',
    title: '躉售物價指數（WPI）',
    titleEn: 'Wholesale price index (WPI)',
    description: '躉售物價指數衡量生產者出售商品之價格變動，按國產內銷品、進口品及出口品分列，基期為2021年=100，每月上旬發布上月資料。',
    keywords: [...PRICE_KEYWORDS, 'WPI', '躉售物價'],
    schedule: monthly(2015, 7),
    fields: [
      period(),
      dim('item', '項目', [
        { code: '0', label: '總指數' },
        { code: '1', label: '國產內銷品', drift: 0.5 },
        { code: '2', label: '進口品', drift: 0.8 },
        { code: '3', label: '出口品', drift: -0.6 },
      ]),
      num('index', '指數', '2021年=100', index(1.2, 0.45)),
      num('yoy_change', '年增率', '%', yoy('index')),
    ],
    formats: ['CSV', 'JSON', 'XML'],
    landingPage: STAT,
  },
  {
    serial: 'DEMO19',
    slug: 'import-export-prices',
    unit: 'statistics',
    categoryCode: '800',
    title: '進出口物價指數（按新臺幣及美元計價）',
    titleEn: 'Import and export price indices (NTD and USD)',
    description: '進口物價指數及出口物價指數，分別以新臺幣及美元計價，基期為2021年=100，每月上旬發布上月資料。',
    keywords: [...PRICE_KEYWORDS, '進口物價', '出口物價'],
    schedule: monthly(2015, 7),
    fields: [
      period(),
      dim('direction', '進出口別', [
        { code: '1', label: '進口', drift: 0.6 },
        { code: '2', label: '出口', drift: -0.4 },
      ]),
      dim('currency', '計價幣別', [
        { code: '1', label: '新臺幣' },
        { code: '2', label: '美元', drift: -0.3 },
      ]),
      num('index', '指數', '2021年=100', index(1, 0.55)),
      num('yoy_change', '年增率', '%', yoy('index')),
    ],
    formats: ['CSV', 'JSON', 'XML'],
    landingPage: STAT,
  },
  {
    serial: 'DEMO20',
    slug: 'gdp-quarterly',
    unit: 'statistics',
    categoryCode: '800',
    title: '國內生產毛額（GDP）及經濟成長率（季）',
    titleEn: 'Gross domestic product and economic growth (quarterly)',
    description: '按季之名目國內生產毛額、實質國內生產毛額（連鎖實質值，參考年為2021年）及經濟成長率；每季結束後1個月發布概估統計，其後修正。',
    keywords: ['GDP', '國民所得', '經濟成長率', '國內生產毛額'],
    schedule: quarterly(2012, 31),
    fields: [
      period('period', '季別'),
      num('gdp_nominal', '名目GDP', '新臺幣百萬元', walk(3_850_000, 3.8, 0.8)),
      num('gdp_real', '實質GDP', '連鎖實質值，新臺幣百萬元', walk(4_300_000, 3, 0.7)),
      num('growth_rate', '經濟成長率', '實質GDP年增率，%', yoy('gdp_real')),
    ],
    formats: ['CSV', 'JSON', 'XML'],
    landingPage: STAT,
  },
  {
    serial: 'DEMO21',
    slug: 'national-income-per-capita',
    unit: 'statistics',
    categoryCode: '800',
    title: '平均每人國民所得毛額（GNI）',
    titleEn: 'Gross national income per capita',
    description: '平均每人國民所得毛額（GNI）及平均每人國內生產毛額，以新臺幣及美元表示；美元值按當年平均匯率換算。',
    keywords: ['國民所得', 'GNI', '每人所得', 'GDP'],
    schedule: yearly(2008, 55),
    fields: [
      period('year', '年別'),
      num('gni_per_capita', '平均每人GNI', '新臺幣元', walk(620_000, 4, 2)),
      num('exchange_rate', '平均匯率', '新臺幣元／美元', level(31, 0.9, 2)),
      num('gni_per_capita_usd', '平均每人GNI（美元）', '美元', calc((r) => n(r, 'gni_per_capita') / n(r, 'exchange_rate'))),
      num('gdp_per_capita', '平均每人GDP', '新臺幣元', calc((r, at) => n(r, 'gni_per_capita') * (0.96 + 0.02 * at.random()))),
    ],
    formats: ['CSV', 'JSON', 'XML'],
    landingPage: STAT,
  },
  {
    serial: 'DEMO22',
    slug: 'household-income-quintiles',
    unit: 'statistics',
    categoryCode: '800',
    title: '家庭收支調查—所得五等分位組之平均每戶可支配所得及消費支出',
    titleEn: 'Survey of Family Income and Expenditure: income and spending by quintile',
    description: '家庭收支調查按可支配所得五等分位組分之平均每戶可支配所得、消費支出及儲蓄，單位新臺幣元，每年8月發布上年結果。',
    keywords: ['家庭收支調查', '可支配所得', '五等分位', '消費支出'],
    schedule: yearly(2012, 225),
    fields: [
      period('year', '年別'),
      dim('quintile', '所得組別', [
        { code: '1', label: '最低所得組', w: 0.36 },
        { code: '2', label: '第二分位組', w: 0.66 },
        { code: '3', label: '第三分位組', w: 0.9 },
        { code: '4', label: '第四分位組', w: 1.2 },
        { code: '5', label: '最高所得組', w: 2.2 },
      ]),
      num('disposable_income', '平均每戶可支配所得', '新臺幣元', walk(1_000_000, 2.2, 1.2)),
      num('consumption', '平均每戶消費支出', '新臺幣元', calc((r, at) => n(r, 'disposable_income') * (0.7 + 0.06 * at.random()) + 60_000)),
      num('saving', '平均每戶儲蓄', '可支配所得－消費支出，新臺幣元', calc((r) => n(r, 'disposable_income') - n(r, 'consumption'))),
    ],
    formats: ['CSV', 'JSON', 'XML'],
    landingPage: STAT,
  },
  {
    serial: 'DEMO23',
    slug: 'income-inequality',
    unit: 'statistics',
    categoryCode: '800',
    title: '家庭收支調查—所得分配不均度（吉尼係數及五等分位倍數）',
    titleEn: 'Income inequality: Gini coefficient and top/bottom quintile ratio',
    description: '依家庭收支調查結果計算之可支配所得吉尼係數及最高所得組為最低所得組之倍數，衡量所得分配不均程度。',
    keywords: ['家庭收支調查', '吉尼係數', '所得分配', '五等分位'],
    schedule: yearly(2005, 225),
    fields: [
      period('year', '年別'),
      num('gini', '吉尼係數', '0至1，越大越不均', level(0.338, 0.002, 3, -0.0004)),
      num('quintile_ratio', '五等分位倍數', '最高所得組÷最低所得組，倍', level(6.1, 0.05, 2, -0.01)),
    ],
    formats: ['CSV', 'JSON'],
    landingPage: STAT,
  },
  {
    serial: 'DEMO24',
    slug: 'gender-labour-earnings',
    unit: 'statistics',
    categoryCode: '500',
    title: '性別統計—勞動力參與率及受僱員工平均薪資（按性別分）',
    titleEn: 'Gender statistics: labour force participation and average earnings by sex',
    description: '性別統計指標：按性別分之勞動力參與率、受僱員工每人每月平均總薪資及兩性薪資差距，供性別平等政策參考。',
    keywords: ['性別統計', '薪資', '勞動力參與率', '性別薪資差距'],
    schedule: yearly(2012, 300),
    fields: [
      period('year', '年別'),
      dim('sex', '性別', [
        { code: '1', label: '男', w: 1.3 },
        { code: '2', label: '女', w: 1 },
      ]),
      num('participation_rate', '勞動力參與率', '%', level(51, 0.2, 2, 0.15)),
      num('average_earnings', '平均每人月總薪資', '新臺幣元', walk(41_000, 2.8, 0.8)),
    ],
    formats: ['CSV', 'JSON', 'XML'],
    landingPage: STAT,
  },
  {
    serial: 'DEMO25',
    slug: 'household-survey-microdata',
    unit: 'statistics',
    categoryCode: '800',
    title: '家庭收支調查個別資料（學術研究用）',
    titleEn: 'Survey of Family Income and Expenditure: microdata for research',
    description: '家庭收支調查去識別化之個別樣本戶資料，供學術研究依申請提供；公開資源為模擬之樣本格式（20筆），供申請前檢視欄位。',
    keywords: ['家庭收支調查', '個別資料', '學術研究', '依申請提供'],
    schedule: yearly(2016, 225),
    fields: [
      period('year', '調查年'),
      text('household_no', '樣本戶序號', '去識別化流水號'),
      text('county_code', '縣市別', COUNTY_CODE_NOTE),
      { name: 'household_size', title: '戶內人口數', description: '人', type: 'integer' },
      { name: 'disposable_income', title: '可支配所得', description: '新臺幣元', type: 'integer' },
      { name: 'consumption', title: '消費支出', description: '新臺幣元', type: 'integer' },
    ],
    formats: ['CSV'],
    notes: '依申請提供：完整個別資料經審查同意後提供，並依規費法收取費用。',
    onApplication: { costUrl: STAT, costLaw: '規費法第10條' },
    rows: (ctx) => microdataRows(ctx, 'household'),
  },
  // ---- 國勢普查處 -----------------------------------------------------------------------
  {
    serial: 'DEMO26',
    slug: 'unemployment-by-sex-age',
    unit: 'census',
    categoryCode: '500',
    title: '人力資源調查失業率（按性別及年齡分）',
    titleEn: 'Manpower survey: unemployment rate by sex and age',
    description: '人力資源調查按性別及年齡組別分之失業率（失業者占勞動力之百分比），每月22日前後發布上月資料。',
    keywords: ['失業率', '失業', '人力資源調查', '就業'],
    schedule: monthly(2016, 22),
    fields: [
      period(),
      dim('sex', '性別', SEX_TOTAL),
      dim('age_group', '年齡組別', [
        { code: '0', label: '總計', w: 1 },
        { code: '1', label: '15-24歲', w: 2.4 },
        { code: '2', label: '25-44歲', w: 1.05 },
        { code: '3', label: '45-64歲', w: 0.6 },
        { code: '4', label: '65歲以上', w: 0.3 },
      ]),
      num('unemployment_rate', '失業率', '%', level(3.7, 0.08, 2, -0.03)),
    ],
    formats: ['CSV', 'JSON', 'XML'],
    landingPage: STAT,
  },
  {
    serial: 'DEMO27',
    slug: 'labour-force',
    unit: 'census',
    categoryCode: '500',
    title: '勞動力、就業者及失業者人數（人力資源調查）',
    titleEn: 'Labour force, employed and unemployed persons',
    description: '人力資源調查之勞動力、就業者、失業者人數及勞動力參與率、失業率，單位千人，每月22日前後發布上月資料。',
    keywords: ['失業', '就業', '勞動力', '人力資源調查'],
    schedule: monthly(2016, 22),
    fields: [
      period(),
      num('labour_force', '勞動力', '千人', walk(11_700, 0.4, 0.15)),
      num('unemployment_rate', '失業率', '%', level(3.8, 0.06, 2, -0.03)),
      num('unemployed', '失業者', '千人', calc((r) => (n(r, 'labour_force') * n(r, 'unemployment_rate')) / 100)),
      num('employed', '就業者', '千人', calc((r) => n(r, 'labour_force') - n(r, 'unemployed'))),
      num('participation_rate', '勞動力參與率', '%', level(58.8, 0.08, 2, 0.05)),
    ],
    formats: ['CSV', 'JSON', 'XML'],
    landingPage: STAT,
  },
  {
    serial: 'DEMO28',
    slug: 'earnings-by-industry',
    unit: 'census',
    categoryCode: '500',
    title: '工業及服務業受僱員工每人每月薪資（按行業分）',
    titleEn: 'Monthly earnings of employees in industry and services, by industry',
    description: '受僱員工薪資調查之每人每月經常性薪資及總薪資（含獎金、加班費），按行業標準分類大類分，單位新臺幣元；約於資料月份後50日發布。',
    keywords: ['薪資', '經常性薪資', '受僱員工', '行業'],
    schedule: monthly(2016, 50),
    fields: [
      period(),
      dim('industry_code', '行業代碼', INDUSTRIES, '依行業標準分類大類'),
      label('industry', '行業名稱', 'industry_code'),
      num('regular_earnings', '經常性薪資', '新臺幣元', walk(39_000, 2.3, 0.3)),
      num('total_earnings', '總薪資', '含獎金及加班費，新臺幣元', calc((r, at) => n(r, 'regular_earnings') * ((at.inYear <= 1 ? 1.55 : 1.06) + 0.05 * at.random()))),
    ],
    formats: ['CSV', 'JSON', 'XML'],
    landingPage: STAT,
  },
  {
    serial: 'DEMO29',
    slug: 'annual-earnings-distribution',
    unit: 'census',
    categoryCode: '500',
    title: '受僱員工全年總薪資中位數及分布統計',
    titleEn: 'Median and distribution of employees’ annual earnings',
    description: '依稅務及勞健保資料編製之受僱員工全年總薪資中位數、平均數及第10、90百分位數，按性別分，單位新臺幣千元，約於次年12月發布。',
    keywords: ['薪資', '薪資中位數', '受僱員工', '所得分配'],
    schedule: yearly(2016, 340),
    fields: [
      period('year', '年別'),
      dim('sex', '性別', SEX_TOTAL),
      num('median', '中位數', '新臺幣千元', walk(490, 2.6, 0.6)),
      num('mean', '平均數', '新臺幣千元', calc((r) => n(r, 'median') * 1.33)),
      num('p10', '第10百分位數', '新臺幣千元', calc((r) => n(r, 'median') * 0.58)),
      num('p90', '第90百分位數', '新臺幣千元', calc((r) => n(r, 'median') * 2.3)),
    ],
    formats: ['CSV', 'JSON', 'XML'],
    landingPage: STAT,
  },
  {
    serial: 'DEMO30',
    slug: 'unemployment-reasons',
    unit: 'census',
    categoryCode: '500',
    title: '失業者之失業原因及平均失業週數（人力運用調查）',
    titleEn: 'Unemployed persons by reason and average weeks of unemployment',
    description: '人力運用調查（每年5月辦理）之失業者按失業原因分之人數及平均失業週數，單位千人、週。',
    keywords: ['失業', '失業原因', '失業週數', '人力運用調查'],
    schedule: yearly(2014, 250),
    fields: [
      period('year', '年別'),
      dim('reason', '失業原因', [
        { code: '1', label: '初次尋職', w: 0.42 },
        { code: '2', label: '業務緊縮或歇業', w: 0.36 },
        { code: '3', label: '對原有工作不滿意', w: 0.85 },
        { code: '4', label: '季節性或臨時性工作結束', w: 0.3 },
        { code: '5', label: '健康不良', w: 0.06 },
        { code: '6', label: '其他', w: 0.1 },
      ]),
      num('unemployed', '失業者', '千人', walk(190, -1.5, 3)),
      num('average_weeks', '平均失業週數', '週', level(21, 0.6, 1)),
    ],
    formats: ['CSV', 'JSON', 'XML'],
    landingPage: STAT,
  },
  {
    serial: 'DEMO31',
    slug: 'industry-services-census',
    unit: 'census',
    categoryCode: '600',
    title: '工業及服務業普查—企業單位數、從業員工人數及生產總額',
    titleEn: 'Industry and Services Census: enterprises, employees and output',
    description: '工業及服務業普查（每5年辦理）之年底企業單位數、從業員工人數及全年生產總額，按行業標準分類大類分；普查結果約於普查後2年發布。',
    keywords: ['工業及服務業普查', '普查', '企業', '從業員工'],
    schedule: { granularity: 'year', fromYear: 2006, everyYears: 5, anchor: 2021, lagDays: 800 },
    fields: [
      period('census_year', '普查年'),
      dim('industry_code', '行業代碼', INDUSTRIES.slice(1), '依行業標準分類大類'),
      label('industry', '行業名稱', 'industry_code'),
      num('enterprises', '企業單位數', '家', walk(95_000, 1.5, 4)),
      num('employees', '從業員工人數', '人', calc((r, at) => n(r, 'enterprises') * (5 + 10 * at.random()))),
      num('output', '全年生產總額', '新臺幣百萬元', calc((r, at) => n(r, 'employees') * (2.5 + 3 * at.random()))),
    ],
    formats: ['CSV', 'JSON', 'XML'],
    landingPage: STAT,
  },
  {
    serial: 'DEMO32',
    slug: 'agriculture-census',
    unit: 'census',
    categoryCode: '600',
    title: '農林漁牧業普查—農牧戶、林戶及漁戶數',
    titleEn: 'Agriculture, Forestry, Fishery and Animal Husbandry Census: households',
    description: '農林漁牧業普查（每5年辦理）之農牧戶、林戶及漁戶數、戶內人口數及從事工作人數，按縣市分。',
    keywords: ['農林漁牧業普查', '普查', '農牧戶', '漁戶'],
    schedule: { granularity: 'year', fromYear: 2005, everyYears: 5, anchor: 2020, lagDays: 700 },
    fields: [
      period('census_year', '普查年'),
      dim('county_code', '縣市別', countyDim('farm').filter((c) => !['63000', '10017', '09007'].includes(c.code)), COUNTY_CODE_NOTE),
      label('county', '縣市名稱', 'county_code'),
      dim('household_type', '戶別', [
        { code: '1', label: '農牧戶', w: 1 },
        { code: '2', label: '林戶', w: 0.02 },
        { code: '3', label: '漁戶', w: 0.07 },
      ]),
      num('households', '戶數', '戶', walk(40_000, -1.5, 6)),
      num('members', '戶內人口數', '人', calc((r, at) => n(r, 'households') * (3 + 0.6 * at.random()))),
    ],
    formats: ['CSV', 'JSON'],
    landingPage: STAT,
  },
  {
    serial: 'DEMO33',
    slug: 'population-housing-census',
    unit: 'census',
    categoryCode: 'C00',
    title: '人口及住宅普查—常住人口（按性別及年齡組別分）',
    titleEn: 'Population and Housing Census: resident population by sex and age',
    description: '人口及住宅普查（每10年辦理）之常住人口數，按性別及年齡組別（0-14歲、15-64歲、65歲以上）分，單位人。',
    keywords: ['人口及住宅普查', '普查', '常住人口', '高齡化'],
    schedule: { granularity: 'year', fromYear: 2000, everyYears: 10, anchor: 2020, lagDays: 560 },
    fields: [
      period('census_year', '普查年'),
      dim('sex', '性別', SEX),
      dim('age_group', '年齡組別', [
        { code: '1', label: '0-14歲', w: 0.2, drift: -2.5 },
        { code: '2', label: '15-64歲', w: 0.7, drift: 0 },
        { code: '3', label: '65歲以上', w: 0.1, drift: 4.5 },
      ]),
      num('population', '常住人口數', '人', walk(11_000_000, 0.3, 0.5)),
    ],
    formats: ['CSV', 'JSON', 'XML'],
    landingPage: STAT,
  },
  {
    serial: 'DEMO34',
    slug: 'manpower-survey-microdata',
    unit: 'census',
    categoryCode: '500',
    title: '人力資源調查個別資料（依申請提供）',
    titleEn: 'Manpower survey microdata (on application)',
    description: '人力資源調查去識別化之個人樣本資料，供學術研究及政策分析依申請提供；公開資源為模擬之樣本格式（20筆）。',
    keywords: ['人力資源調查', '個別資料', '失業', '依申請提供'],
    schedule: monthly(2018, 22),
    fields: [
      period('period', '調查年月'),
      text('person_no', '樣本序號', '去識別化流水號'),
      { name: 'sex', title: '性別', type: 'text', codes: [{ code: '1', meaning: '男' }, { code: '2', meaning: '女' }] },
      { name: 'age', title: '年齡', description: '足歲', type: 'integer' },
      {
        name: 'labour_status',
        title: '勞動力狀態',
        type: 'text',
        codes: [
          { code: '1', meaning: '就業者' },
          { code: '2', meaning: '失業者' },
          { code: '3', meaning: '非勞動力' },
        ],
      },
      { name: 'weight', title: '權數', description: '推估母體用', type: 'decimal', decimals: 2 },
    ],
    formats: ['CSV'],
    notes: '依申請提供：完整個別資料經審查同意後提供，並依規費法收取費用。',
    onApplication: { costUrl: STAT, costLaw: '規費法第10條' },
    rows: (ctx) => microdataRows(ctx, 'manpower'),
  },
  // ---- 地方統計推展中心 ------------------------------------------------------------------
  {
    serial: 'DEMO35',
    slug: 'county-population',
    unit: 'local-statistics',
    categoryCode: 'I00',
    title: '縣市重要統計指標—戶數及人口數',
    titleEn: 'County statistics: households and population',
    description: '各直轄市及縣市年底戶數、人口數及性比例（每百女子所當男子數），供地方施政比較參考。',
    keywords: ['縣市重要統計指標', '人口', '戶數', '地方統計'],
    schedule: yearly(2012, 60),
    fields: [
      period('year', '年底別'),
      dim('county_code', '縣市別', countyDim('pop'), COUNTY_CODE_NOTE),
      label('county', '縣市名稱', 'county_code'),
      num('population', '人口數', '人', walk(1_000_000, -0.1, 0.4)),
      num('households', '戶數', '戶', calc((r, at) => n(r, 'population') / (2.55 + 0.3 * at.random()))),
      num('sex_ratio', '性比例', '每百女子所當男子數', rate(98.5, 0.3, 2, -0.25)),
    ],
    formats: ['CSV', 'JSON', 'XML'],
    landingPage: STAT,
  },
  {
    serial: 'DEMO36',
    slug: 'county-household-income',
    unit: 'local-statistics',
    categoryCode: '800',
    title: '縣市重要統計指標—平均每戶可支配所得及消費支出',
    titleEn: 'County statistics: household disposable income and consumption',
    description: '依家庭收支調查結果之各縣市平均每戶可支配所得及平均每戶消費支出，單位新臺幣元。',
    keywords: ['縣市重要統計指標', '可支配所得', '家庭收支調查', '地方統計'],
    schedule: yearly(2012, 240),
    fields: [
      period('year', '年別'),
      dim('county_code', '縣市別', countyDim('income'), COUNTY_CODE_NOTE),
      label('county', '縣市名稱', 'county_code'),
      num('disposable_income', '平均每戶可支配所得', '新臺幣元', walk(1_000_000, 2.2, 1.5)),
      num('consumption', '平均每戶消費支出', '新臺幣元', calc((r, at) => n(r, 'disposable_income') * (0.72 + 0.08 * at.random()))),
    ],
    formats: ['CSV', 'JSON'],
    landingPage: STAT,
  },
  {
    serial: 'DEMO37',
    slug: 'county-unemployment',
    unit: 'local-statistics',
    categoryCode: '500',
    title: '各縣市勞動力參與率及失業率',
    titleEn: 'Labour force participation and unemployment rates by county',
    description: '人力資源調查按縣市分之年平均勞動力參與率及失業率（%）。',
    keywords: ['失業率', '失業', '縣市', '勞動力參與率'],
    schedule: yearly(2012, 60),
    fields: [
      period('year', '年別'),
      dim('county_code', '縣市別', countyDim('none'), COUNTY_CODE_NOTE),
      label('county', '縣市名稱', 'county_code'),
      num('participation_rate', '勞動力參與率', '%', level(58.5, 0.6, 2, 0.05)),
      num('unemployment_rate', '失業率', '%', level(3.8, 0.25, 2, -0.03)),
    ],
    formats: ['CSV', 'JSON', 'XML'],
    landingPage: STAT,
  },
  {
    serial: 'DEMO38',
    slug: 'county-general-budget',
    unit: 'local-statistics',
    categoryCode: 'I00',
    title: '各直轄市及縣市總預算歲入歲出',
    titleEn: 'General budgets of municipalities and counties: revenue and expenditure',
    description: '各直轄市及縣市政府總預算之歲入、歲出預算數及歲入歲出餘絀，單位新臺幣千元。',
    keywords: ['預算', '地方總預算', '縣市', '歲入', '歲出'],
    schedule: fiscal(2014, -350),
    fields: [
      period('fiscal_year', '年度'),
      dim('county_code', '縣市別', countyDim('pop'), COUNTY_CODE_NOTE),
      label('county', '縣市名稱', 'county_code'),
      num('revenue_budget', '歲入預算數', '新臺幣千元', walk(42_000_000, 3, 2)),
      num('expenditure_budget', '歲出預算數', '新臺幣千元', calc((r, at) => n(r, 'revenue_budget') * (0.98 + 0.09 * at.random()))),
      num('balance', '歲入歲出餘絀', '新臺幣千元；負數為短絀', calc((r) => n(r, 'revenue_budget') - n(r, 'expenditure_budget'))),
    ],
    formats: ['CSV', 'JSON', 'XML'],
  },
  // ---- 主計資訊處 -----------------------------------------------------------------------
  {
    serial: 'DEMO39',
    slug: 'open-data-list',
    unit: 'it',
    categoryCode: 'I00',
    title: '主計總處開放資料清單',
    titleEn: 'List of DGBAS open datasets',
    description: '本機關於開放資料平臺提供之資料集清單，含資料集識別碼、名稱、提供單位、服務分類、更新頻率、檔案格式及最後更新時間，每月更新。',
    keywords: ['開放資料', '資料集清單', '資料開放'],
    schedule: monthly(2024, 3),
    fields: [
      text('identifier', '資料集識別碼'),
      text('title', '資料集名稱'),
      text('unit', '提供單位'),
      text('category', '服務分類', '分類代碼'),
      text('update_frequency', '更新頻率'),
      text('formats', '檔案格式', '以;分隔'),
      text('modified', '最後更新時間', 'YYYY-MM-DD hh:mm:ss', 'date'),
    ],
    formats: ['CSV', 'JSON', 'XML'],
    noTemporal: true,
    rows: (ctx) =>
      ctx.listing.map((e) => ({
        identifier: e.identifier,
        title: e.title,
        unit: e.unitTitle,
        category: e.categoryCode,
        update_frequency: e.updateFrequency,
        formats: e.formats,
        modified: e.modified,
      })),
  },
  {
    serial: 'DEMO40',
    slug: 'website-usage',
    unit: 'it',
    categoryCode: 'I00',
    title: '主計總處網站瀏覽及檔案下載統計',
    titleEn: 'Website page views and downloads',
    description: '主計總處全球資訊網、統計資訊網及開放資料專區每月之網頁瀏覽人次及檔案下載次數。',
    keywords: ['網站統計', '瀏覽人次', '下載次數', '開放資料'],
    schedule: monthly(2020, 8),
    fields: [
      period('period', '統計年月'),
      dim('site', '網站別', [
        { code: '1', label: '全球資訊網', w: 1 },
        { code: '2', label: '統計資訊網', w: 1.8 },
        { code: '3', label: '開放資料專區', w: 0.25, drift: 8 },
      ]),
      num('page_views', '網頁瀏覽人次', '人次', walk(820_000, 3, 6)),
      num('downloads', '檔案下載次數', '次', calc((r, at) => n(r, 'page_views') * (0.08 + 0.05 * at.random()))),
    ],
    formats: ['CSV', 'JSON'],
  },
];

// ---- tables that are not a product of dimensions ---------------------------------------------

const pad = (v: number) => String(v).padStart(2, '0');

/** The next working day on or after a date (weekends only; the demo has no holiday calendar). */
function workday(y: number, m: number, d: number): string {
  const date = new Date(Date.UTC(y, m, d));
  while (date.getUTCDay() === 0 || date.getUTCDay() === 6) date.setUTCDate(date.getUTCDate() + 1);
  return date.toISOString().slice(0, 10);
}

function releaseCalendarRows(ctx: TableContext): Row[] {
  const rows: Row[] = [];
  for (const year of ctx.periods) {
    for (let m = 0; m < 12; m++) {
      const prevMonth = m === 0 ? `${year - 1}-12` : `${year}-${pad(m)}`;
      const twoBack = m <= 1 ? `${year - 1}-${pad(m + 11)}` : `${year}-${pad(m - 1)}`;
      rows.push({ release_date: workday(year, m, 5), release_time: '16:00', item: '消費者物價指數', reference_period: prevMonth, department: '綜合統計處' });
      rows.push({ release_date: workday(year, m, 7), release_time: '16:00', item: '躉售物價及進出口物價指數', reference_period: prevMonth, department: '綜合統計處' });
      rows.push({ release_date: workday(year, m, 20), release_time: '16:00', item: '受僱員工薪資', reference_period: twoBack, department: '國勢普查處' });
      rows.push({ release_date: workday(year, m, 22), release_time: '16:00', item: '人力資源調查（失業率）', reference_period: prevMonth, department: '國勢普查處' });
      if (m % 3 === 0) {
        const q = m === 0 ? `${year - 1}Q4` : `${year}Q${m / 3}`;
        rows.push({ release_date: workday(year, m, 28), release_time: '16:00', item: '國民所得統計（經濟成長率概估）', reference_period: q, department: '綜合統計處' });
      }
    }
  }
  return rows.sort((a, b) => String(a.release_date).localeCompare(String(b.release_date)));
}

const SPECIAL_BUDGETS: { name: string; from: number; to: number; act: string; amount: number }[] = [
  { name: '前瞻基礎建設計畫第1期特別預算', from: 106, to: 107, act: '前瞻基礎建設特別條例', amount: 1.07e8 },
  { name: '前瞻基礎建設計畫第2期特別預算', from: 108, to: 109, act: '前瞻基礎建設特別條例', amount: 2.3e8 },
  { name: '嚴重特殊傳染性肺炎防治及紓困振興特別預算', from: 109, to: 111, act: '嚴重特殊傳染性肺炎防治及紓困振興特別條例', amount: 8.4e8 },
  { name: '前瞻基礎建設計畫第3期特別預算', from: 110, to: 111, act: '前瞻基礎建設特別條例', amount: 2.4e8 },
  { name: '海空戰力提升計畫採購特別預算', from: 111, to: 115, act: '海空戰力提升計畫採購特別條例', amount: 2.3e8 },
  { name: '前瞻基礎建設計畫第4期特別預算', from: 112, to: 114, act: '前瞻基礎建設特別條例', amount: 2.6e8 },
  { name: '疫後強化經濟與社會韌性及全民共享經濟成果特別預算', from: 112, to: 113, act: '疫後強化經濟與社會韌性及全民共享經濟成果特別條例', amount: 3.8e8 },
];

function specialBudgetRows(ctx: TableContext): Row[] {
  const lastYear = ctx.periods.length > 0 ? Math.max(...ctx.periods) - 1911 : 0;
  return SPECIAL_BUDGETS.filter((b) => b.from <= lastYear).map((b) => ({
    budget_name: b.name,
    period_from: String(b.from),
    period_to: String(b.to),
    legal_basis: b.act,
    approved_amount: Math.round(b.amount * (0.9 + 0.2 * ctx.random())),
  }));
}

/** Twenty made-up sample records showing the layout of an on-application microdata file. */
function microdataRows(ctx: TableContext, kind: 'household' | 'manpower'): Row[] {
  const last = ctx.label(ctx.periods[ctx.periods.length - 1] ?? 0);
  const rows: Row[] = [];
  for (let i = 1; i <= 20; i++) {
    if (kind === 'household') {
      const size = 1 + Math.floor(ctx.random() * 5);
      const income = Math.round((350_000 + ctx.random() * 1_600_000) / 100) * 100;
      rows.push({
        year: last,
        household_no: `S${String(i).padStart(5, '0')}`,
        county_code: COUNTIES[Math.floor(ctx.random() * COUNTIES.length)].code,
        household_size: size,
        disposable_income: income,
        consumption: Math.round((income * (0.6 + ctx.random() * 0.3)) / 100) * 100,
      });
    } else {
      const status = ctx.random();
      rows.push({
        period: last,
        person_no: `P${String(i).padStart(6, '0')}`,
        sex: ctx.random() < 0.5 ? '1' : '2',
        age: 15 + Math.floor(ctx.random() * 70),
        labour_status: status < 0.56 ? '1' : status < 0.58 ? '2' : '3',
        weight: Math.round((900 + ctx.random() * 700) * 100) / 100,
      });
    }
  }
  return rows;
}
