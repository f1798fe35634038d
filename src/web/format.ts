import type { Lang } from '../i18n.ts';
import type { Dataset } from '../modules/catalogue/catalogue.schemas.ts';
import { CATEGORY_CODES, licenceById, parseFrequency, PROVISION_LABELS, PROVISION_TYPES, type Frequency, type ProvisionType } from '../modules/catalogue/national.ts';
import type { Facet } from '../modules/search/search.indexer.ts';

/** Readable labels for the codes the catalogue stores; pure functions shared by every page. */

export function categoryLabel(code: string, lang: Lang): string {
  const c = CATEGORY_CODES[code];
  if (!c) return code;
  return lang === 'en' ? c.en : c.zh;
}

const isProvision = (v: string): v is ProvisionType => (PROVISION_TYPES as readonly string[]).includes(v);

export function provisionLabel(value: string, lang: Lang): string {
  if (!isProvision(value)) return value;
  return lang === 'en' ? PROVISION_LABELS[value].en : PROVISION_LABELS[value].zh;
}

export function licenceLabel(id: string, lang: Lang): string {
  const l = licenceById(id);
  if (!l) return id;
  return lang === 'en' ? l.en : l.zh;
}

const UNIT_EN: Record<Extract<Frequency, { kind: 'interval' }>['unit'], string> = {
  minute: 'minute', hour: 'hour', day: 'day', week: 'week', month: 'month', quarter: 'quarter', year: 'year',
};

/** 更新頻率 as stored (national text) in zh; translated when it follows a national form. */
export function frequencyLabel(text: string, lang: Lang): string {
  if (lang !== 'en') return text;
  const f = parseFrequency(text);
  if (!f) return text;
  switch (f.kind) {
    case 'realtime':
      return 'Real time';
    case 'irregular':
      return 'Irregular';
    case 'interval':
      return f.every === 1 ? `Every ${UNIT_EN[f.unit]}` : `Every ${f.every} ${UNIT_EN[f.unit]}s`;
  }
}

export interface UnitNames {
  get(name: string): { title: string; titleEn: string } | undefined;
}

/** The readable label of one facet value. */
export function facetValueLabel(facet: Facet, value: string, lang: Lang, units: UnitNames): string {
  switch (facet) {
    case 'unit': {
      const u = units.get(value);
      return u ? (lang === 'en' ? u.titleEn : u.title) : value;
    }
    case 'category':
      return `${categoryLabel(value, lang)}`;
    case 'provision':
      return provisionLabel(value, lang);
    case 'license':
      return licenceLabel(value, lang);
    case 'frequency':
      return frequencyLabel(value, lang);
    case 'state':
      return value === 'discontinued' ? (lang === 'en' ? 'Discontinued' : '停止提供') : lang === 'en' ? 'Published' : '已公開';
    case 'format':
    case 'keyword':
      return value;
  }
}

export const unitTitle = (u: { title: string; titleEn: string }, lang: Lang): string => (lang === 'en' && u.titleEn ? u.titleEn : u.title);

/** The title shown for a dataset: the English title on English pages when there is one. */
export const datasetTitle = (d: Pick<Dataset, 'title' | 'titleEn'>, lang: Lang): string => (lang === 'en' && d.titleEn ? d.titleEn : d.title);

/** Date part of a stored `YYYY-MM-DD[ hh:mm:ss]` or ISO timestamp. */
export function dateOnly(value: string | null): string | null {
  if (!value) return null;
  const m = /^\d{4}-\d{2}-\d{2}/.exec(value);
  return m ? m[0] : value;
}

/** Shortens long descriptions for result lists, on a character (not byte) boundary. */
export function excerpt(text: string, max = 140): string {
  const chars = [...text.replace(/\s+/g, ' ').trim()];
  return chars.length <= max ? chars.join('') : `${chars.slice(0, max).join('')}…`;
}

/** The year the attribution names: of the last update, else of publication, else this year. */
function attributionYear(d: Dataset): string {
  for (const v of [d.modified, d.issued, d.publishedAt, d.updatedAt]) {
    const m = v ? /^(\d{4})/.exec(v) : null;
    if (m) return m[1];
  }
  return String(new Date().getFullYear());
}

/**
 * The attribution statement in the form the licence asks for (datagovtw.md §7):
 * 提供機關 + 年份 + 資料名稱 + licence statement + licence URL.
 */
export function attributionText(d: Dataset, lang: Lang): string {
  const year = attributionYear(d);
  const licence = licenceById(d.licenseId);
  const url = d.licenseUrl || licence?.url || '';
  if (d.licenseId === 'OGDL-Taiwan-1.0') {
    if (lang === 'en') {
      return `${d.publisherName} ${year} ${d.titleEn ?? d.title}. The Open Data is made available to the public under the Open Government Data License, User can make use of it when complying to the condition and obligation of its terms. Open Government Data License: ${url}`;
    }
    return `${d.publisherName} ${year} ${d.title}。此開放資料依政府資料開放授權條款 (Open Government Data License) 進行公眾釋出，使用者於遵守本條款各項規定之前提下，得利用之。政府資料開放授權條款：${url}`;
  }
  const name = licence ? (lang === 'en' ? licence.en : licence.zh) : d.licenseTitle;
  if (lang === 'en') return `${d.publisherName} ${year} ${d.titleEn ?? d.title}. Licensed under ${name}: ${url}`;
  return `${d.publisherName} ${year} ${d.title}。本資料依「${name}」授權釋出：${url}`;
}

/** One national metadata field as the dataset page lists it. */
export interface MetadataRow {
  zh: string;
  en: string;
  value: string | null;
  /** Render the value as a link. */
  link?: boolean;
}

/** Every field of the national metadata specification (datagovtw.md §1), in its order, plus our own. */
export function metadataRows(d: Dataset, lang: Lang): MetadataRow[] {
  const contact = (name: string | null, phone: string | null, email: string | null): string | null =>
    [name, phone, email].filter((x): x is string => !!x).join('，') || null;
  return [
    { zh: '分類編號（服務分類）', en: 'categoryCode', value: `${d.categoryCode} ${categoryLabel(d.categoryCode, lang)}` },
    { zh: '資料集編號', en: 'identifier', value: d.identifier },
    { zh: '資料集名稱', en: 'title', value: d.title },
    { zh: '英文名稱', en: 'title (English)', value: d.titleEn },
    { zh: '資料集描述', en: 'description', value: d.description },
    { zh: '主要欄位說明', en: 'fieldDescription', value: d.fieldDescription || null },
    { zh: '資料集類型', en: 'type', value: d.datasetType },
    { zh: '授權方式', en: 'license', value: licenceLabel(d.licenseId, lang) },
    { zh: '授權說明網址', en: 'licenseURL', value: d.licenseUrl, link: true },
    { zh: '計費方式', en: 'cost', value: d.cost },
    { zh: '計費說明網址', en: 'costURL', value: d.costUrl, link: true },
    { zh: '計費法令依據', en: 'costLaw', value: d.costLaw },
    { zh: '上級機關名稱', en: 'organization', value: d.organizationName },
    { zh: '上級機關聯絡人', en: 'organizationContactName / Phone / Email', value: contact(d.organizationContactName, d.organizationContactPhone, d.organizationContactEmail) },
    { zh: '提供機關名稱', en: 'publisher', value: d.publisherName },
    { zh: '提供機關聯絡人姓名', en: 'publisherContactName', value: d.publisherContactName },
    { zh: '提供機關聯絡人電話', en: 'publisherContactPhone', value: d.publisherContactPhone },
    { zh: '提供機關聯絡人電子郵件', en: 'publisherContactEmail', value: d.publisherContactEmail },
    { zh: '更新頻率', en: 'accrualPeriodicity', value: frequencyLabel(d.updateFrequency, lang) },
    { zh: '開始收錄日期', en: 'temporalCoverageFrom', value: d.temporalFrom },
    { zh: '結束收錄日期', en: 'temporalCoverageTo', value: d.temporalTo },
    { zh: '發布時間', en: 'issued', value: d.issued },
    { zh: '最後更新時間', en: 'modified', value: d.modified },
    { zh: '資料集空間範圍', en: 'spatial', value: d.spatial },
    { zh: '資料集語系', en: 'language', value: d.language },
    { zh: '資料集相關網址', en: 'landingPage', value: d.landingPage, link: true },
    { zh: '標籤/關鍵字', en: 'keyword', value: d.keywords.join('、') || null },
    { zh: '資料量', en: 'numberOfData', value: d.numberOfData === null ? null : String(d.numberOfData) },
    { zh: '備註', en: 'notes', value: d.notes },
    { zh: '提供方式', en: 'provision type', value: provisionLabel(d.provisionType, lang) },
    { zh: '提供單位', en: 'unit', value: unitTitle(d.unit, lang) },
    { zh: '資料提供屬性', en: 'data attribute', value: d.dataAttribute },
    { zh: '資料集上架方式', en: 'listing method', value: d.listingMethod },
    { zh: '品質檢測', en: 'quality badge', value: d.qualityBadge },
  ];
}

