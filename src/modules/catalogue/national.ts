/**
 * The national metadata rules (資料集詮釋資料標準規範, ../shared/reference/datagovtw.md §1):
 * code lists, value rules, and the text form of 主要欄位說明. Pure functions, no I/O.
 */

export const CATEGORY_CODES: Record<string, { zh: string; en: string }> = {
  '100': { zh: '生育保健', en: 'Birth and health care' },
  '200': { zh: '出生及收養', en: 'Birth and adoption' },
  '300': { zh: '求學及進修', en: 'Education and training' },
  '400': { zh: '服兵役', en: 'Military service' },
  '500': { zh: '求職及就業', en: 'Jobs and employment' },
  '600': { zh: '開創事業', en: 'Starting a business' },
  '700': { zh: '婚姻', en: 'Marriage' },
  '800': { zh: '投資理財', en: 'Investment and finance' },
  '900': { zh: '休閒旅遊', en: 'Leisure and travel' },
  A00: { zh: '交通及通訊', en: 'Transport and communications' },
  B00: { zh: '就醫', en: 'Medical care' },
  C00: { zh: '購屋及遷徙', en: 'Housing and moving' },
  D00: { zh: '選舉及投票', en: 'Elections and voting' },
  E00: { zh: '生活安全及品質', en: 'Safety and quality of life' },
  F00: { zh: '退休', en: 'Retirement' },
  G00: { zh: '老年安養', en: 'Elderly care' },
  H00: { zh: '生命禮儀', en: 'Funerals' },
  I00: { zh: '公共資訊', en: 'Public information' },
};

/** Finds a category by code or by its Chinese name (the national list export uses names). */
export function categoryCodeOf(value: string): string | undefined {
  const v = value.trim();
  if (CATEGORY_CODES[v]) return v;
  return Object.entries(CATEGORY_CODES).find(([, c]) => c.zh === v)?.[0];
}

export interface LicenceInfo {
  id: string;
  zh: string;
  en: string;
  url: string;
  /** Other spellings seen in national list exports. */
  aliases: string[];
}

export const LICENCES: LicenceInfo[] = [
  {
    id: 'OGDL-Taiwan-1.0',
    zh: '政府資料開放授權條款-第1版',
    en: 'Open Government Data License, version 1.0',
    url: 'https://data.gov.tw/license',
    aliases: ['政府資料開放授權條款第1版', '政府資料開放授權條款－第1版', 'OGDL'],
  },
  { id: 'CC-BY-4.0', zh: '創用CC 姓名標示 4.0', en: 'Creative Commons Attribution 4.0', url: 'https://creativecommons.org/licenses/by/4.0/', aliases: ['CC BY 4.0', 'cc-by'] },
  { id: 'CC-BY-SA-4.0', zh: '創用CC 姓名標示-相同方式分享 4.0', en: 'Creative Commons Attribution-ShareAlike 4.0', url: 'https://creativecommons.org/licenses/by-sa/4.0/', aliases: ['CC BY-SA 4.0', 'cc-by-sa'] },
  { id: 'CC0-1.0', zh: '創用CC0 公眾領域貢獻宣告', en: 'Creative Commons Zero 1.0', url: 'https://creativecommons.org/publicdomain/zero/1.0/', aliases: ['CC0', 'cc-zero'] },
  { id: 'OFL-1.1', zh: 'SIL 開源字型授權 1.1', en: 'SIL Open Font License 1.1', url: 'https://openfontlicense.org/', aliases: ['OFL'] },
];

export const DEFAULT_LICENCE_ID = 'OGDL-Taiwan-1.0';

export function licenceById(id: string): LicenceInfo | undefined {
  return LICENCES.find((l) => l.id === id);
}

/** Resolves an id, Chinese title or alias to a licence. */
export function findLicence(value: string): LicenceInfo | undefined {
  const v = value.trim().toLowerCase();
  return LICENCES.find((l) => l.id.toLowerCase() === v || l.zh.toLowerCase() === v || l.aliases.some((a) => a.toLowerCase() === v));
}

export const DATASET_TYPES = ['rawData', 'TOOLS', 'SERVICES'] as const;
export const COSTS = ['免費', '付費'] as const;

/** 資料提供方式: open data, data provided on application, withheld (C6). */
export const PROVISION_TYPES = ['open', 'on_application', 'withheld'] as const;
export type ProvisionType = (typeof PROVISION_TYPES)[number];
export const PROVISION_LABELS: Record<ProvisionType, { zh: string; en: string }> = {
  open: { zh: '開放資料', en: 'Open data' },
  on_application: { zh: '依申請提供', en: 'On application' },
  withheld: { zh: '不予提供', en: 'Not provided' },
};

/**
 * Dataset states. `published` is public, and `discontinued` stays readable (with its notice) but
 * out of default search. draft → submitted → published (or returned) is the review gate;
 * `withheld` is a dataset the head approved as not provided (不予提供): an internal record, never public.
 */
export const DATASET_STATES = ['draft', 'submitted', 'returned', 'published', 'discontinued', 'withheld'] as const;
export type DatasetState = (typeof DATASET_STATES)[number];

export const COMMON_FORMATS = [
  'CSV', 'JSON', 'XML', 'ODS', 'XLSX', 'XLS', 'TXT', 'RDF', 'KML', 'KMZ', 'SHP', 'GEOJSON', 'WMS',
  'API', 'WEBSERVICES', 'PDF', 'ODT', 'DOCX', 'ZIP', '壓縮檔', '其他',
] as const;

export const COMMON_ENCODINGS = ['UTF-8', 'BIG5', 'BIG-5', 'CP950', 'UTF-16', 'GB18030', 'ISO-8859-1', '其他'] as const;

export type Frequency =
  | { kind: 'interval'; every: number; unit: 'minute' | 'hour' | 'day' | 'week' | 'month' | 'quarter' | 'year' }
  | { kind: 'realtime' }
  | { kind: 'irregular' };

const FREQ_UNITS: Record<string, Extract<Frequency, { kind: 'interval' }>['unit']> = {
  分鐘: 'minute', 小時: 'hour', 時: 'hour', 日: 'day', 天: 'day', 週: 'week', 周: 'week', 月: 'month', 季: 'quarter', 年: 'year',
};

/** Parses 更新頻率 (每N日/週/月/年, 每10分鐘, 即時, 不定期…); undefined when it follows no national form. */
export function parseFrequency(text: string): Frequency | undefined {
  const t = text.trim();
  if (t === '即時') return { kind: 'realtime' };
  if (/^不定期(更新)?$/.test(t)) return { kind: 'irregular' };
  if (/^每半年(更新)?$/.test(t)) return { kind: 'interval', every: 6, unit: 'month' };
  const m = /^每(\d*)(分鐘|小時|時|日|天|週|周|月|季|年)(更新)?$/.exec(t);
  if (!m) return undefined;
  const every = m[1] ? Number(m[1]) : 1;
  if (every < 1) return undefined;
  return { kind: 'interval', every, unit: FREQ_UNITS[m[2]] };
}

/** One field of a table as the 主要欄位說明 describes it, stored structured. */
export interface FieldDef {
  name: string;
  title?: string;
  description?: string;
  type?: string;
  codes?: { code: string; meaning: string }[];
}

const CODES_PREFIX = '代碼：';

/** Renders fields to the national text form: `name(title，description)` joined by `、`. */
export function renderFieldDescription(fields: FieldDef[]): string {
  return fields
    .map((f) => {
      const parts: string[] = [];
      if (f.title && f.title !== f.name) parts.push(f.title);
      let desc = f.description ?? '';
      if (f.codes && f.codes.length > 0) {
        const codes = CODES_PREFIX + f.codes.map((c) => `${c.code}=${c.meaning}`).join('；');
        desc = desc ? `${desc}；${codes}` : codes;
      }
      if (desc) parts.push(desc);
      return parts.length > 0 ? `${f.name}(${parts.join('，')})` : f.name;
    })
    .join('、');
}

/** Splits on `sep` outside (), （）, [] and 「」. */
function splitTopLevel(text: string, sep: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let cur = '';
  for (const ch of text) {
    if ('(（[「'.includes(ch)) depth++;
    else if (')）]」'.includes(ch)) depth = Math.max(0, depth - 1);
    if (ch === sep && depth === 0) {
      out.push(cur);
      cur = '';
    } else cur += ch;
  }
  out.push(cur);
  return out;
}

/**
 * Parses the national text form back into fields. Free text that follows no form becomes
 * fields with descriptions only; callers keep the original text when rendering would change it.
 */
export function parseFieldDescription(text: string): FieldDef[] {
  const t = text.trim();
  if (!t) return [];
  return splitTopLevel(t, '、')
    .map((item) => item.trim())
    .filter((item) => item.length > 0)
    .map((item): FieldDef => {
      const m = /^([^(（]+)[(（](.*)[)）]$/s.exec(item);
      if (!m) return { name: item };
      const name = m[1].trim();
      const inner = m[2];
      const [first, ...rest] = splitTopLevel(inner, '，');
      let title: string | undefined;
      let description: string;
      // `English(中文名稱，說明)`: a title only when the name is Latin and a description follows.
      if (rest.length > 0 && /^[\x20-\x7e]+$/.test(name)) {
        title = first.trim();
        description = rest.join('，');
      } else if (/^[\x20-\x7e]+$/.test(name) && !inner.includes(CODES_PREFIX) && rest.length === 0 && /^[^\x20-\x7e]{1,20}$/.test(inner)) {
        title = inner.trim();
        description = '';
      } else description = inner;
      let codes: FieldDef['codes'];
      const ci = description.indexOf(CODES_PREFIX);
      if (ci >= 0) {
        const codeText = description.slice(ci + CODES_PREFIX.length);
        codes = codeText.split('；').map((p) => {
          const eq = p.indexOf('=');
          return eq >= 0 ? { code: p.slice(0, eq), meaning: p.slice(eq + 1) } : { code: p, meaning: '' };
        });
        description = description.slice(0, ci).replace(/；$/, '');
      }
      const f: FieldDef = { name };
      if (title) f.title = title;
      if (description) f.description = description;
      if (codes) f.codes = codes;
      return f;
    });
}

const DATE = /^\d{4}-\d{2}-\d{2}$/;
const DATETIME = /^\d{4}-\d{2}-\d{2}( \d{2}:\d{2}(:\d{2})?)?$/;
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const IDENTIFIER = /^[a-zA-Z_0-9]{10}-[a-zA-Z_0-9]{6}$/;
const RESOURCE_ID = /^[a-zA-Z_0-9]{10}-[a-zA-Z_0-9]{6}-\d{3}$/;

function validDate(s: string, withTime: boolean): boolean {
  if (!(withTime ? DATETIME : DATE).test(s)) return false;
  const d = new Date(`${s.slice(0, 10)}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === s.slice(0, 10);
}

export const isDate = (s: string): boolean => validDate(s, false);
export const isDateTime = (s: string): boolean => validDate(s, true);
export const isEmail = (s: string): boolean => EMAIL.test(s);
export const isIdentifier = (s: string): boolean => IDENTIFIER.test(s);
export const isResourceId = (s: string): boolean => RESOURCE_ID.test(s);
export function isHttpUrl(s: string): boolean {
  try {
    const u = new URL(s);
    return u.protocol === 'http:' || u.protocol === 'https:';
  } catch {
    return false;
  }
}

/** zh / en message pair. */
export type Msg = string;
export const msg = (zh: string, en: string): Msg => `${zh} / ${en}`;

/**
 * The 主要欄位說明 entry a dataset drafted from an inventory item starts with (the inventory does
 * not know the columns); submitting for review refuses it until the contact describes the real fields.
 */
export const PLACEHOLDER_FIELD = '待補';
