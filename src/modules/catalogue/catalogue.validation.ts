import type { DatasetInput, ResourceInput } from './catalogue.schemas.ts';
import {
  CATEGORY_CODES, COSTS, DATASET_TYPES, DEFAULT_LICENCE_ID, findLicence, isDate, isDateTime, isEmail, isHttpUrl,
  isIdentifier, isResourceId, licenceById, msg, parseFieldDescription, parseFrequency, renderFieldDescription,
  type FieldDef, type Msg, type ProvisionType,
} from './national.ts';

/** URL names the portal's own paths use. */
const RESERVED_NAMES: ReadonlySet<string> = new Set(['new', 'edit', 'discontinue', 'discontinued']);

/** Input after defaults are applied: every national field present, nulls for empty ones. */
export interface NormalizedDataset {
  unit: string;
  name: string | null;
  identifier: string | null;
  provisionType: ProvisionType;
  categoryCode: string;
  title: string;
  titleEn: string | null;
  description: string;
  fields: FieldDef[];
  /** The original 主要欄位說明 text when rendering the parsed fields would not give it back. */
  fieldDescriptionRaw: string | null;
  datasetType: string;
  licenseId: string;
  licenseUrl: string;
  cost: string;
  costUrl: string | null;
  costLaw: string | null;
  applicationTerms: string | null;
  revocable: boolean;
  withholdingBasis: string | null;
  organizationName: string | null;
  organizationContactName: string | null;
  organizationContactPhone: string | null;
  organizationContactEmail: string | null;
  publisherName: string | null;
  publisherContactName: string | null;
  publisherContactPhone: string | null;
  publisherContactEmail: string | null;
  updateFrequency: string;
  temporalFrom: string | null;
  temporalTo: string | null;
  issued: string | null;
  modified: string | null;
  spatial: string | null;
  language: string | null;
  landingPage: string | null;
  numberOfData: number | null;
  notes: string | null;
  keywords: string[];
  resources: NormalizedResource[];
  dataAttribute: string | null;
  listingMethod: string | null;
  qualityBadge: string | null;
  isDemo: boolean;
}

export interface NormalizedResource {
  resourceId: string | null;
  name: string;
  description: string;
  format: string;
  encoding: string;
  accessUrl: string | null;
  downloadUrl: string | null;
  modified: string | null;
  metadataSourceUrl: string | null;
  numberOfData: number | null;
}

const clean = (v: string | null | undefined): string | null => {
  if (v === undefined || v === null) return null;
  const t = v.trim();
  return t === '' ? null : t;
};

function normalizeResource(r: ResourceInput): NormalizedResource {
  return {
    resourceId: clean(r.resourceId),
    name: clean(r.name) ?? r.description.trim(),
    description: r.description.trim(),
    format: r.format.trim().toUpperCase(),
    encoding: r.encoding.trim().toUpperCase(),
    accessUrl: clean(r.accessUrl),
    downloadUrl: clean(r.downloadUrl),
    modified: clean(r.modified),
    metadataSourceUrl: clean(r.metadataSourceUrl),
    numberOfData: r.numberOfData ?? null,
  };
}

/** Applies defaults (licence, cost, type, provision) and parses the field description text. */
export function normalizeDatasetInput(input: DatasetInput): NormalizedDataset {
  let fields = input.fields ?? [];
  let fieldDescriptionRaw: string | null = null;
  const text = clean(input.fieldDescription);
  if (fields.length === 0 && text) {
    fields = parseFieldDescription(text);
    if (renderFieldDescription(fields) !== text) fieldDescriptionRaw = text;
  }
  const licence = findLicence(input.licenseId ?? DEFAULT_LICENCE_ID);
  const keywords = [...new Set((input.keywords ?? []).map((k) => k.trim()).filter((k) => k.length > 0))];
  return {
    unit: input.unit.trim(),
    name: clean(input.name),
    identifier: clean(input.identifier),
    provisionType: input.provisionType ?? 'open',
    categoryCode: input.categoryCode.trim(),
    title: input.title.trim(),
    titleEn: clean(input.titleEn),
    description: input.description.trim(),
    fields,
    fieldDescriptionRaw,
    datasetType: clean(input.datasetType) ?? 'rawData',
    licenseId: licence?.id ?? (input.licenseId ?? '').trim(),
    licenseUrl: clean(input.licenseUrl) ?? licence?.url ?? '',
    cost: clean(input.cost) ?? '免費',
    costUrl: clean(input.costUrl),
    costLaw: clean(input.costLaw),
    applicationTerms: clean(input.applicationTerms),
    revocable: input.revocable ?? false,
    withholdingBasis: clean(input.withholdingBasis),
    organizationName: clean(input.organizationName),
    organizationContactName: clean(input.organizationContactName),
    organizationContactPhone: clean(input.organizationContactPhone),
    organizationContactEmail: clean(input.organizationContactEmail),
    publisherName: clean(input.publisherName),
    publisherContactName: clean(input.publisherContactName),
    publisherContactPhone: clean(input.publisherContactPhone),
    publisherContactEmail: clean(input.publisherContactEmail),
    updateFrequency: input.updateFrequency.trim(),
    temporalFrom: clean(input.temporalFrom),
    temporalTo: clean(input.temporalTo),
    issued: clean(input.issued),
    modified: clean(input.modified),
    spatial: clean(input.spatial),
    language: clean(input.language),
    landingPage: clean(input.landingPage),
    numberOfData: input.numberOfData ?? null,
    notes: clean(input.notes),
    keywords,
    resources: (input.resources ?? []).map(normalizeResource),
    dataAttribute: clean(input.dataAttribute),
    listingMethod: clean(input.listingMethod),
    qualityBadge: clean(input.qualityBadge),
    isDemo: input.isDemo ?? false,
  };
}

export interface ValidationResult {
  errors: Record<string, Msg[]>;
  warnings: Record<string, Msg[]>;
}

const LANG = /^[a-z]{2}(-[A-Za-z]{2,4})?$/;

export interface ValidationOptions {
  /**
   * The national list export lacks 計費說明網址/計費法令依據 and carries descriptions longer than
   * the standard allows; rows taken from it get warnings for these instead of being refused, so
   * an agency can bring its listing in and fix the metadata afterwards.
   */
  fromNationalList?: boolean;
}

/**
 * Checks the national value rules. Errors block saving; warnings are shown to the contact
 * (the quality engine turns them into indicators later).
 */
export function validateDataset(d: NormalizedDataset, opts: ValidationOptions = {}): ValidationResult {
  const errors: Record<string, Msg[]> = {};
  const warnings: Record<string, Msg[]> = {};
  const warn = (f: string, m: Msg) => (warnings[f] ??= []).push(m);
  const err = (f: string, m: Msg) => (errors[f] ??= []).push(m);
  const errUnlessList = opts.fromNationalList ? warn : err;

  if (!CATEGORY_CODES[d.categoryCode]) err('categoryCode', msg(`服務分類「${d.categoryCode}」不在18類代碼中`, `categoryCode "${d.categoryCode}" is not one of the 18 service categories`));
  if (d.identifier !== null && !isIdentifier(d.identifier)) err('identifier', msg(`資料集編號「${d.identifier}」須為「10碼機關代碼-6碼序號」`, `identifier "${d.identifier}" must be <10-char agency code>-<6-char serial>`));
  if (d.name !== null && !/^[a-z0-9_-]{2,100}$/.test(d.name)) err('name', msg('網址名稱只能用小寫英數字、- 與 _（2–100字）', 'name must be 2–100 lower-case letters, digits, - or _'));
  // Words that are pages of their own (/manage/datasets/new); a dataset so named could not be reached.
  else if (d.name !== null && RESERVED_NAMES.has(d.name)) err('name', msg(`網址名稱「${d.name}」為系統保留字，請換一個`, `"${d.name}" is reserved for the portal's own pages; choose another name`));
  if (!d.title) err('title', msg('資料集名稱為必填', 'title is required'));
  else if ([...d.title].length > 255) err('title', msg('資料集名稱不可超過255字', 'title must be at most 255 characters'));
  if (!d.description) err('description', msg('資料集描述為必填', 'description is required'));
  else if ([...d.description].length > 500) errUnlessList('description', msg('資料集描述不可超過500字', 'description must be at most 500 characters'));
  if (d.fields.length === 0) err('fieldDescription', msg('主要欄位說明為必填', 'fieldDescription (主要欄位說明) is required'));
  d.fields.forEach((f, i) => {
    if (!f.name.trim()) err(`fields[${i}].name`, msg(`第${i + 1}個欄位沒有名稱`, `field ${i + 1} has no name`));
  });
  const fieldText = d.fieldDescriptionRaw ?? renderFieldDescription(d.fields);
  if ([...fieldText].length > 255) warn('fieldDescription', msg('主要欄位說明超過國家規範的255字', 'fieldDescription is longer than the national limit of 255 characters'));
  if (!(DATASET_TYPES as readonly string[]).includes(d.datasetType)) err('datasetType', msg('資料集類型須為 rawData、TOOLS 或 SERVICES', 'datasetType must be rawData, TOOLS or SERVICES'));
  if (!licenceById(d.licenseId)) err('licenseId', msg(`授權方式「${d.licenseId}」不是國家平臺接受的授權`, `licence "${d.licenseId}" is not one data.gov.tw accepts`));
  if (d.licenseUrl && !isHttpUrl(d.licenseUrl)) err('licenseUrl', msg('授權說明網址不是有效網址', 'licenseUrl is not a valid http(s) URL'));
  if (!(COSTS as readonly string[]).includes(d.cost)) err('cost', msg('計費方式須為「免費」或「付費」', 'cost must be 免費 (free) or 付費 (paid)'));
  if (d.cost === '付費') {
    if (!d.costUrl) errUnlessList('costUrl', msg('付費資料須填計費說明網址', 'costUrl is required when the data is paid'));
    if (!d.costLaw) errUnlessList('costLaw', msg('付費資料須填計費法令依據', 'costLaw is required when the data is paid'));
  }
  if (d.provisionType === 'on_application' && !d.applicationTerms) {
    err('applicationTerms', msg('依申請提供的資料集須填申請方式及條件', 'applicationTerms (how to apply and on what terms) is required when the dataset is provided on application'));
  }
  if (d.provisionType === 'withheld' && !d.withholdingBasis) {
    err('withholdingBasis', msg('不予提供的資料集須填法律依據（如 政府資訊公開法第18條第1項第3款）', 'withholdingBasis (the legal basis, e.g. 政府資訊公開法第18條第1項第3款) is required when the dataset is withheld'));
  }
  if (d.provisionType === 'open' && d.revocable) {
    err('revocable', msg('開放資料的授權不可撤回，請取消「授權可否撤回」或改為依申請提供', 'an open dataset\'s licence is irrevocable: set revocable to false, or provide the dataset on application'));
  }
  if (d.costUrl && !isHttpUrl(d.costUrl)) err('costUrl', msg('計費說明網址不是有效網址', 'costUrl is not a valid http(s) URL'));
  for (const [f, v] of [['organizationContactEmail', d.organizationContactEmail], ['publisherContactEmail', d.publisherContactEmail]] as const) {
    if (v && !v.split(/[,;]/).every((e) => isEmail(e.trim()))) err(f, msg(`電子郵件「${v}」格式錯誤`, `"${v}" is not a valid e-mail address`));
  }
  if (d.publisherContactName && !d.publisherContactName.split(/[,，]/).every((n) => /\S+\s+\S+/.test(n.trim()))) {
    warn('publisherContactName', msg('聯絡人姓名建議寫成「姓名 稱謂」，如「郭大明 先生」', 'contact names should read "name title", e.g. 郭大明 先生'));
  }
  if (!parseFrequency(d.updateFrequency)) err('updateFrequency', msg(`更新頻率「${d.updateFrequency}」須為每N日/週/月/年、每N分鐘、即時或不定期`, `updateFrequency "${d.updateFrequency}" must be 每N日/週/月/年, 每N分鐘, 即時 or 不定期`));
  for (const [f, v] of [['temporalFrom', d.temporalFrom], ['temporalTo', d.temporalTo]] as const) {
    if (v && !isDate(v)) err(f, msg(`日期「${v}」須為 YYYY-MM-DD（西元年）`, `date "${v}" must be YYYY-MM-DD (Gregorian)`));
  }
  if (d.temporalFrom && d.temporalTo && isDate(d.temporalFrom) && isDate(d.temporalTo) && d.temporalFrom > d.temporalTo) {
    err('temporalTo', msg('結束收錄日期早於開始收錄日期', 'temporalTo is before temporalFrom'));
  }
  for (const [f, v] of [['issued', d.issued], ['modified', d.modified]] as const) {
    if (v && !isDateTime(v)) err(f, msg(`時間「${v}」須為 YYYY-MM-DD hh:mm:ss`, `time "${v}" must be YYYY-MM-DD hh:mm:ss`));
  }
  if (d.language && !d.language.split(/[,，;、]/).every((l) => LANG.test(l.trim()))) err('language', msg('資料集語系須為 ISO 639-1 代碼，如 zh、en', 'language must be ISO 639-1 codes such as zh, en'));
  if (d.landingPage && !isHttpUrl(d.landingPage)) err('landingPage', msg('資料集相關網址不是有效網址', 'landingPage is not a valid http(s) URL'));
  if (d.numberOfData !== null && (!Number.isInteger(d.numberOfData) || d.numberOfData < 0)) err('numberOfData', msg('資料量須為非負整數', 'numberOfData must be a non-negative integer'));

  const seenIds = new Set<string>();
  d.resources.forEach((r, i) => {
    const f = (name: string) => `resources[${i}].${name}`;
    const n = i + 1;
    if (!r.description) err(f('description'), msg(`第${n}個資料資源缺少描述`, `resource ${n} has no description`));
    if (!r.format) err(f('format'), msg(`第${n}個資料資源缺少檔案格式`, `resource ${n} has no format`));
    if (!r.encoding) err(f('encoding'), msg(`第${n}個資料資源缺少編碼格式`, `resource ${n} has no encoding`));
    if (!r.accessUrl && !r.downloadUrl) err(f('downloadUrl'), msg(`第${n}個資料資源須有資料下載網址或資料存取網址`, `resource ${n} needs a downloadUrl or an accessUrl`));
    for (const [name, v] of [['accessUrl', r.accessUrl], ['downloadUrl', r.downloadUrl], ['metadataSourceUrl', r.metadataSourceUrl]] as const) {
      if (v && !isHttpUrl(v) && !v.startsWith('/')) err(f(name), msg(`第${n}個資料資源的網址「${v}」無效`, `resource ${n}: "${v}" is not a valid URL`));
    }
    if (r.modified && !isDateTime(r.modified)) err(f('modified'), msg(`第${n}個資料資源的最後更新時間須為 YYYY-MM-DD hh:mm:ss`, `resource ${n}: modified must be YYYY-MM-DD hh:mm:ss`));
    if (r.resourceId) {
      if (!isResourceId(r.resourceId)) err(f('resourceId'), msg(`資料資源編號「${r.resourceId}」須為「資料集編號-3位數字」`, `resourceId "${r.resourceId}" must be <identifier>-<3 digits>`));
      else if (d.identifier && !r.resourceId.startsWith(`${d.identifier}-`)) err(f('resourceId'), msg(`資料資源編號「${r.resourceId}」須以資料集編號開頭`, `resourceId "${r.resourceId}" must start with the dataset identifier`));
      if (seenIds.has(r.resourceId)) err(f('resourceId'), msg(`資料資源編號「${r.resourceId}」重複`, `resourceId "${r.resourceId}" appears twice`));
      seenIds.add(r.resourceId);
    }
  });
  return { errors, warnings };
}
