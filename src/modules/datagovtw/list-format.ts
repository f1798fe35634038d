/**
 * The data.gov.tw national list (../shared/reference/datagovtw.md §2): its 22 columns and the
 * mapping between one list row and our DatasetInput / Dataset. Pure functions, no I/O.
 */
import type { Dataset, DatasetInput, ResourceInput } from '../catalogue/catalogue.schemas.ts';
import { CATEGORY_CODES, categoryCodeOf, findLicence, isIdentifier, msg, renderFieldDescription, type Msg } from '../catalogue/national.ts';

/** The header of the national list, in order. The doubled 資 in column 9 is in the real export. */
export const LIST_COLUMNS = [
  '資料集識別碼', '資料集名稱', '資料提供屬性', '服務分類', '品質檢測', '檔案格式', '資料下載網址', '編碼格式',
  '資資料集上架方式', '資料集描述', '主要欄位說明', '提供機關', '更新頻率', '授權方式', '相關網址', '計費方式',
  '提供機關聯絡人姓名', '提供機關聯絡人電話', '上架日期', '詮釋資料更新時間', '備註', '資料量',
] as const;
export type ListColumn = (typeof LIST_COLUMNS)[number];

/** Spellings of a header cell we also accept on import (exports always use LIST_COLUMNS). */
const HEADER_ALIASES: Partial<Record<ListColumn, string[]>> = { 資資料集上架方式: ['資料集上架方式'] };

/** A problem with one row, tied to the list column it comes from when known. */
export interface RowProblem {
  column: ListColumn | null;
  message: Msg;
}

/** One list row, parsed and checked; values already in our stored form. */
export interface ListEntry {
  identifier: string;
  /** The 10-character agency code that prefixes the identifier. */
  agencyCode: string;
  title: string;
  dataAttribute: string | null;
  categoryCode: string;
  qualityBadge: string | null;
  resources: { format: string; downloadUrl: string | null; encoding: string; numberOfData: number | null }[];
  listingMethod: string | null;
  description: string;
  fieldDescription: string;
  publisherName: string;
  updateFrequency: string;
  licenseId: string | undefined;
  landingPage: string | null;
  cost: string | undefined;
  publisherContactName: string | null;
  publisherContactPhone: string | null;
  issued: string | null;
  modified: string | null;
  notes: string | null;
}

export type HeaderCheck = { ok: true } | { ok: false; zh: string; en: string };

/** Drops empty cells past the 22nd (spreadsheets often save a trailing empty column). */
function fitColumns(cells: string[]): string[] {
  if (cells.length <= LIST_COLUMNS.length) return cells;
  return cells.slice(LIST_COLUMNS.length).every((c) => c.trim() === '') ? cells.slice(0, LIST_COLUMNS.length) : cells;
}

/** Checks the first record against the 22-column header. */
export function checkHeader(cells: string[]): HeaderCheck {
  const got = fitColumns(cells).map((c) => c.trim());
  const expected = LIST_COLUMNS.join(',');
  const wrong = (zhWhy: string, enWhy: string): HeaderCheck => ({
    ok: false,
    zh: `檔案不是國家資料開放平臺清單格式（${zhWhy}）。第1行應為：${expected}`,
    en: `the file is not a data.gov.tw national list (${enWhy}). Line 1 must be: ${expected}`,
  });
  if (got.some((c) => c.includes('\uFFFD'))) return wrong('檔案不是 UTF-8 編碼', 'the file is not UTF-8 encoded');
  if (got.length !== LIST_COLUMNS.length) return wrong(`標題列有 ${got.length} 欄，應為 ${LIST_COLUMNS.length} 欄`, `the header has ${got.length} columns, expected ${LIST_COLUMNS.length}`);
  const bad = LIST_COLUMNS.findIndex((col, i) => got[i] !== col && !(HEADER_ALIASES[col] ?? []).includes(got[i]));
  if (bad >= 0) return wrong(`第${bad + 1}欄為「${got[bad]}」，應為「${LIST_COLUMNS[bad]}」`, `column ${bad + 1} is "${got[bad]}", expected "${LIST_COLUMNS[bad]}"`);
  return { ok: true };
}

const blank = (v: string): string | null => {
  const t = v.trim();
  return t === '' ? null : t;
};

const pad = (n: number, width = 2) => String(n).padStart(width, '0');

const LIST_DATE = /^(\d{2,4})[-/.](\d{1,2})[-/.](\d{1,2})(?:[ T](\d{1,2}):(\d{1,2})(?::(\d{1,2})(?:\.\d+)?)?)?$/;

/**
 * Reads a list date (`YYYY-MM-DD`, `YYYY-MM-DD hh:mm:ss[.ffffff]`, `YYYY/MM/DD…`, or a 民國 year
 * such as `112/06/02`) into the national form: `YYYY-MM-DD`, or `YYYY-MM-DD hh:mm:ss` when it
 * carries a time. `rocYear` is set when a 民國 year was converted, so the caller can say so.
 */
export function normaliseListDate(text: string): { value: string; rocYear: boolean } | undefined {
  const m = LIST_DATE.exec(text.trim());
  if (!m) return undefined;
  const rocYear = m[1].length < 4;
  const year = Number(m[1]) + (rocYear ? 1911 : 0);
  const [month, day] = [Number(m[2]), Number(m[3])];
  const d = new Date(Date.UTC(year, month - 1, day));
  if (d.getUTCFullYear() !== year || d.getUTCMonth() !== month - 1 || d.getUTCDate() !== day) return undefined;
  const date = `${pad(year, 4)}-${pad(month)}-${pad(day)}`;
  if (m[4] === undefined) return { value: date, rocYear };
  const [h, min, s] = [Number(m[4]), Number(m[5]), Number(m[6] ?? 0)];
  if (h > 23 || min > 59 || s > 59) return undefined;
  return { value: `${date} ${pad(h)}:${pad(min)}:${pad(s)}`, rocYear };
}

/**
 * Splits a multi-resource cell (`;`-joined in resource order). With one resource the whole
 * cell is its value, so a lone URL that contains `;` survives.
 */
function splitCell(cell: string, count: number): string[] {
  if (count === 1) return [cell.trim()];
  return cell.split(';').map((p) => p.trim());
}

const INTEGER = /^(\d+|\d{1,3}(,\d{3})+)$/;

/** Parses one data row (already known to be a record of the file, not the header). */
export function parseListRow(record: string[]): { entry?: ListEntry; errors: RowProblem[]; warnings: RowProblem[] } {
  const cells = fitColumns(record);
  const errors: RowProblem[] = [];
  const warnings: RowProblem[] = [];
  if (cells.length !== LIST_COLUMNS.length) {
    errors.push({ column: null, message: msg(`本行有 ${cells.length} 欄，應為 ${LIST_COLUMNS.length} 欄`, `the row has ${cells.length} columns, expected ${LIST_COLUMNS.length}`) });
    return { errors, warnings };
  }
  const cell = Object.fromEntries(LIST_COLUMNS.map((c, i) => [c, cells[i]])) as Record<ListColumn, string>;
  const err = (column: ListColumn, zh: string, en: string) => errors.push({ column, message: msg(zh, en) });
  const warn = (column: ListColumn, zh: string, en: string) => warnings.push({ column, message: msg(zh, en) });

  const identifier = cell.資料集識別碼.trim();
  if (!identifier) err('資料集識別碼', '資料集識別碼為必填', 'the dataset identifier is required');
  else if (!isIdentifier(identifier)) err('資料集識別碼', `資料集識別碼「${identifier}」須為「10碼機關代碼-6碼序號」`, `identifier "${identifier}" must be <10-char agency code>-<6-char serial>`);

  const categoryText = cell.服務分類.trim();
  const categoryCode = categoryCodeOf(categoryText);
  if (!categoryCode) {
    const names = Object.values(CATEGORY_CODES).map((c) => c.zh).join('、');
    err('服務分類', `服務分類「${categoryText}」不是18類服務分類之一（${names}）`, `service category "${categoryText}" is not one of the 18 categories (${names})`);
  }

  const publisherName = cell.提供機關.trim();
  if (!publisherName) err('提供機關', '提供機關為必填', 'the providing agency (提供機關) is required');

  const licenceText = cell.授權方式.trim();
  let licenseId: string | undefined;
  if (!licenceText) warn('授權方式', '授權方式空白，以「政府資料開放授權條款-第1版」登錄', 'no licence given; recorded as the Open Government Data License 1.0');
  else {
    licenseId = findLicence(licenceText)?.id;
    if (!licenseId) err('授權方式', `授權方式「${licenceText}」不是國家平臺接受的授權`, `licence "${licenceText}" is not one data.gov.tw accepts`);
  }

  const costText = cell.計費方式.trim();
  if (!costText) warn('計費方式', '計費方式空白，以「免費」登錄', 'no cost given; recorded as free (免費)');

  const dates: Record<'上架日期' | '詮釋資料更新時間', string | null> = { 上架日期: null, 詮釋資料更新時間: null };
  for (const column of ['上架日期', '詮釋資料更新時間'] as const) {
    const text = cell[column].trim();
    if (!text) continue;
    const d = normaliseListDate(text);
    if (!d) err(column, `${column}「${text}」不是可讀的日期（YYYY-MM-DD 或 YYYY-MM-DD hh:mm:ss）`, `${column} "${text}" is not a readable date (YYYY-MM-DD or YYYY-MM-DD hh:mm:ss)`);
    else {
      dates[column] = d.value;
      if (d.rocYear) warn(column, `${column}「${text}」為民國年，已轉為西元 ${d.value}`, `${column} "${text}" has a ROC (民國) year; converted to ${d.value}`);
    }
  }

  const formatCell = cell.檔案格式.trim();
  const formats = formatCell === '' ? [] : splitCell(formatCell, formatCell.split(';').length);
  const n = formats.length;
  const perResource = (column: '資料下載網址' | '編碼格式' | '資料量', allowOne: boolean): string[] => {
    const text = cell[column].trim();
    if (n === 0) {
      if (text) err(column, `${column}有值但檔案格式空白`, `${column} has values but 檔案格式 (format) is empty`);
      return [];
    }
    if (!text) return formats.map(() => '');
    const parts = splitCell(text, n);
    if (parts.length === n) return parts;
    if (allowOne && parts.length === 1) return formats.map(() => parts[0]);
    err(column, `${column}有 ${parts.length} 個值（以;分隔），檔案格式有 ${n} 個`, `${column} has ${parts.length} values (;-separated) but 檔案格式 has ${n}`);
    return [];
  };
  const urls = perResource('資料下載網址', false);
  const encodings = perResource('編碼格式', true);
  const amounts = perResource('資料量', false).map((a, i): number | null => {
    if (a === '') return null;
    if (!INTEGER.test(a)) {
      err('資料量', `第${i + 1}個資料資源的資料量「${a}」不是整數`, `resource ${i + 1}: 資料量 "${a}" is not a whole number`);
      return null;
    }
    return Number(a.replace(/,/g, ''));
  });

  if (errors.length > 0 || !categoryCode) return { errors, warnings };
  const entry: ListEntry = {
    identifier,
    agencyCode: identifier.slice(0, 10),
    title: cell.資料集名稱.trim(),
    dataAttribute: blank(cell.資料提供屬性),
    categoryCode,
    qualityBadge: blank(cell.品質檢測),
    resources: formats.map((format, i) => ({ format, downloadUrl: blank(urls[i]), encoding: encodings[i], numberOfData: amounts[i] })),
    listingMethod: blank(cell.資資料集上架方式),
    description: cell.資料集描述.trim(),
    fieldDescription: cell.主要欄位說明.trim(),
    publisherName,
    updateFrequency: cell.更新頻率.trim(),
    licenseId,
    landingPage: blank(cell.相關網址),
    cost: costText || undefined,
    publisherContactName: blank(cell.提供機關聯絡人姓名),
    publisherContactPhone: blank(cell.提供機關聯絡人電話),
    issued: dates.上架日期,
    modified: dates.詮釋資料更新時間,
    notes: blank(cell.備註),
  };
  return { entry, errors, warnings };
}

/** A description for a resource the list brings in (the list has none): `<title> <FORMAT>`. */
function resourceDescription(title: string, format: string, formats: string[], i: number): string {
  const f = format.toUpperCase();
  const same = formats.filter((x) => x.toUpperCase() === f).length;
  const nth = formats.slice(0, i + 1).filter((x) => x.toUpperCase() === f).length;
  return same > 1 ? `${title} ${f} ${nth}` : `${title} ${f}`;
}

/**
 * The DatasetInput for a list row. Columns the list carries come from the row; everything it
 * does not carry (keywords, e-mail, coverage, resource descriptions…) is kept from `existing`,
 * so re-importing never wipes what a person added here.
 */
export function entryToInput(e: ListEntry, unit: string, existing: Dataset | undefined): DatasetInput {
  const formats = e.resources.map((r) => r.format);
  const resources: ResourceInput[] = e.resources.map((r, i) => {
    const prior = existing?.resources[i];
    const priorUrl = prior ? (prior.downloadUrl ?? prior.accessUrl) : null;
    const sameUrl = prior !== undefined && priorUrl === r.downloadUrl;
    return {
      resourceId: prior?.resourceId,
      name: prior?.name,
      description: prior?.description || resourceDescription(e.title, r.format, formats, i),
      format: r.format,
      encoding: r.encoding,
      // When the URL is unchanged keep how it was stored (download vs access URL).
      downloadUrl: sameUrl ? prior.downloadUrl : r.downloadUrl,
      accessUrl: prior?.accessUrl,
      modified: prior?.modified,
      metadataSourceUrl: prior?.metadataSourceUrl,
      numberOfData: r.numberOfData,
    };
  });
  // Structured fields (with types, codes) survive when the list text is what they render to.
  const keepFields = existing !== undefined && existing.fields.length > 0 && renderFieldDescription(existing.fields) === e.fieldDescription;
  return {
    unit,
    name: existing?.name,
    identifier: e.identifier,
    provisionType: existing?.provisionType,
    categoryCode: e.categoryCode,
    title: e.title,
    titleEn: existing?.titleEn,
    description: e.description,
    fields: keepFields ? existing.fields : undefined,
    fieldDescription: e.fieldDescription,
    datasetType: existing?.datasetType,
    licenseId: e.licenseId ?? existing?.licenseId,
    licenseUrl: existing && existing.licenseId === (e.licenseId ?? existing.licenseId) ? existing.licenseUrl : undefined,
    cost: e.cost ?? existing?.cost,
    costUrl: existing?.costUrl,
    costLaw: existing?.costLaw,
    // Not in the national list: kept as they are, like the provision type they belong to.
    applicationTerms: existing?.applicationTerms,
    revocable: existing?.revocable,
    withholdingBasis: existing?.withholdingBasis,
    organizationName: existing?.organizationName,
    organizationContactName: existing?.organizationContactName,
    organizationContactPhone: existing?.organizationContactPhone,
    organizationContactEmail: existing?.organizationContactEmail,
    publisherName: e.publisherName,
    publisherContactName: e.publisherContactName,
    publisherContactPhone: e.publisherContactPhone,
    publisherContactEmail: existing?.publisherContactEmail,
    updateFrequency: e.updateFrequency,
    temporalFrom: existing?.temporalFrom,
    temporalTo: existing?.temporalTo,
    issued: e.issued,
    modified: e.modified,
    spatial: existing?.spatial,
    language: existing?.language,
    landingPage: e.landingPage,
    numberOfData: existing?.numberOfData,
    notes: e.notes,
    keywords: existing?.keywords,
    resources,
    dataAttribute: e.dataAttribute,
    listingMethod: e.listingMethod,
    qualityBadge: e.qualityBadge,
    isDemo: existing?.isDemo,
  };
}

/** One dataset as a list row, in LIST_COLUMNS order. */
export function datasetToListRow(d: Dataset): string[] {
  const joined = (values: (string | number | null)[]) => values.map((v) => (v === null ? '' : String(v))).join(';');
  const row: Record<ListColumn, string> = {
    資料集識別碼: d.identifier,
    資料集名稱: d.title,
    資料提供屬性: d.dataAttribute ?? '',
    服務分類: CATEGORY_CODES[d.categoryCode]?.zh ?? d.categoryCode,
    品質檢測: d.qualityBadge ?? '',
    檔案格式: joined(d.resources.map((r) => r.format)),
    資料下載網址: joined(d.resources.map((r) => r.downloadUrl ?? r.accessUrl)),
    編碼格式: joined(d.resources.map((r) => r.encoding)),
    資資料集上架方式: d.listingMethod ?? '',
    資料集描述: d.description,
    主要欄位說明: d.fieldDescription,
    提供機關: d.publisherName,
    更新頻率: d.updateFrequency,
    授權方式: d.licenseTitle,
    相關網址: d.landingPage ?? '',
    計費方式: d.cost,
    提供機關聯絡人姓名: d.publisherContactName ?? '',
    提供機關聯絡人電話: d.publisherContactPhone ?? '',
    上架日期: d.issued ?? '',
    詮釋資料更新時間: d.modified ?? '',
    備註: d.notes ?? '',
    資料量: joined(d.resources.map((r) => r.numberOfData)),
  };
  return LIST_COLUMNS.map((c) => row[c]);
}

const FIELD_COLUMNS: Record<string, ListColumn> = {
  identifier: '資料集識別碼',
  title: '資料集名稱',
  categoryCode: '服務分類',
  description: '資料集描述',
  fieldDescription: '主要欄位說明',
  fields: '主要欄位說明',
  publisherName: '提供機關',
  updateFrequency: '更新頻率',
  licenseId: '授權方式',
  landingPage: '相關網址',
  cost: '計費方式',
  costUrl: '計費方式',
  costLaw: '計費方式',
  publisherContactName: '提供機關聯絡人姓名',
  publisherContactPhone: '提供機關聯絡人電話',
  issued: '上架日期',
  modified: '詮釋資料更新時間',
  notes: '備註',
  format: '檔案格式',
  downloadUrl: '資料下載網址',
  accessUrl: '資料下載網址',
  encoding: '編碼格式',
  numberOfData: '資料量',
};

/** The list column a DatasetInput field path (`resources[0].encoding`, `fields[2].name`…) comes from. */
export function columnOfField(path: string): ListColumn | null {
  const last = /(?:^|\.)([A-Za-z]+)$/.exec(path)?.[1] ?? '';
  if (path.startsWith('resources')) return FIELD_COLUMNS[last] ?? '檔案格式';
  const head = /^([A-Za-z]+)/.exec(path)?.[1] ?? '';
  return FIELD_COLUMNS[head] ?? null;
}
