import type { Lang } from '../../../i18n.ts';
import { pickLang } from '../../../i18n.ts';
import type { DatasetInput, ResourceInput } from '../../../modules/catalogue/catalogue.schemas.ts';
import { CATEGORY_CODES, DEFAULT_LICENCE_ID, COMMON_ENCODINGS, COMMON_FORMATS, COSTS, DATASET_TYPES, LICENCES, PROVISION_LABELS, PROVISION_TYPES, renderFieldDescription } from '../../../modules/catalogue/national.ts';
import { manageMessages } from './manage-messages.ts';

/**
 * The dataset editor as data: every national field of DatasetInput with its fieldset, labels,
 * hint and control. The page renders this list and the route reads the form back through it, so a
 * new field (e.g. the provision terms) is one more entry here.
 */

export type GroupKey = 'basic' | 'classification' | 'contacts' | 'time' | 'fields' | 'keywords';

export const GROUPS: { key: GroupKey; zh: string; en: string }[] = [
  { key: 'basic', zh: '基本資料', en: 'Basic information' },
  { key: 'classification', zh: '分類與授權', en: 'Classification and licence' },
  { key: 'contacts', zh: '提供機關與聯絡人', en: 'Publisher and contacts' },
  { key: 'time', zh: '時間與更新頻率', en: 'Time and update frequency' },
  { key: 'fields', zh: '主要欄位說明', en: 'Main fields' },
  { key: 'keywords', zh: '關鍵字', en: 'Keywords' },
];

export type FieldKind = 'text' | 'textarea' | 'select' | 'email' | 'url' | 'number' | 'keywords' | 'boolean';

export interface Option {
  value: string;
  label: string;
}

export interface FieldSpec {
  /** The DatasetInput property, also the form field name; the element id is `f-<key>`. */
  key: keyof DatasetInput;
  group: GroupKey;
  zh: string;
  en: string;
  hint?: { zh: string; en: string };
  kind: FieldKind;
  required?: boolean;
  /** Choices of a select (the unit select gets the units the user may use from the page). */
  options?: (lang: Lang) => Option[];
  /** Set on creation only; an edit shows it read-only (the dataset keeps its identifier and URL name). */
  createOnly?: boolean;
  /**
   * What an empty control means: '' for a required text, null for an optional national field,
   * undefined (the service's default: licence, cost, type, provision).
   */
  empty: 'string' | 'null' | 'omit';
}

const opts = (values: readonly string[], label: (v: string, lang: Lang) => string = (v) => v) => (lang: Lang) => values.map((v) => ({ value: v, label: label(v, lang) }));

export const DATASET_FIELDS: FieldSpec[] = [
  { key: 'unit', group: 'basic', zh: '提供單位', en: 'Unit', kind: 'select', required: true, empty: 'string', hint: { zh: '只列出您可以新增資料集的單位。', en: 'Only the units you may create datasets in.' } },
  { key: 'title', group: 'basic', zh: '資料集名稱', en: 'Title', kind: 'text', required: true, empty: 'string', hint: { zh: '最多 255 字，例如「消費者物價基本分類指數」。', en: 'At most 255 characters, e.g. 消費者物價基本分類指數.' } },
  { key: 'titleEn', group: 'basic', zh: '英文名稱', en: 'English title', kind: 'text', empty: 'null' },
  { key: 'description', group: 'basic', zh: '資料集描述', en: 'Description', kind: 'textarea', required: true, empty: 'string', hint: { zh: '說明資料內容與用途，最多 500 字。', en: 'What the data is and what it is for; at most 500 characters.' } },
  { key: 'identifier', group: 'basic', zh: '資料集編號', en: 'Identifier', kind: 'text', createOnly: true, empty: 'null', hint: { zh: '格式為「10碼機關代碼-6碼序號」，如 A41000000G-000123；留空由系統編號。', en: '<10-character agency code>-<6-character serial>, e.g. A41000000G-000123; leave empty to have one assigned.' } },
  { key: 'name', group: 'basic', zh: '網址名稱', en: 'URL name', kind: 'text', createOnly: true, empty: 'null', hint: { zh: '小寫英數字、- 與 _（2–100字），如 cpi-monthly；留空則用資料集編號。', en: '2–100 lower-case letters, digits, - or _, e.g. cpi-monthly; defaults to the identifier.' } },
  { key: 'landingPage', group: 'basic', zh: '資料集相關網址', en: 'Landing page', kind: 'url', empty: 'null', hint: { zh: '以 https:// 或 http:// 開頭。', en: 'Starts with https:// or http://.' } },
  { key: 'spatial', group: 'basic', zh: '資料集空間範圍', en: 'Spatial coverage', kind: 'text', empty: 'null', hint: { zh: '例如「臺灣地區」。', en: 'E.g. 臺灣地區 (Taiwan area).' } },
  { key: 'language', group: 'basic', zh: '資料集語系', en: 'Language', kind: 'text', empty: 'null', hint: { zh: 'ISO 639-1 代碼，多個以逗號分隔，如 zh, en。', en: 'ISO 639-1 codes separated by commas, e.g. zh, en.' } },
  { key: 'numberOfData', group: 'basic', zh: '資料量', en: 'Number of records', kind: 'number', empty: 'null', hint: { zh: '0 以上的整數。', en: 'A whole number, 0 or more.' } },
  { key: 'notes', group: 'basic', zh: '備註', en: 'Notes', kind: 'textarea', empty: 'null' },
  { key: 'dataAttribute', group: 'basic', zh: '資料提供屬性', en: 'Data attribute', kind: 'text', empty: 'null', hint: { zh: '依國家平臺清單的用語，如「原始資料」。', en: 'As the national list words it.' } },
  { key: 'listingMethod', group: 'basic', zh: '資料集上架方式', en: 'Listing method', kind: 'text', empty: 'null', hint: { zh: '依國家平臺清單的用語，如「機關自行上架」。', en: 'As the national list words it.' } },

  { key: 'categoryCode', group: 'classification', zh: '服務分類', en: 'Service category', kind: 'select', required: true, empty: 'string', options: (lang) => Object.entries(CATEGORY_CODES).map(([code, c]) => ({ value: code, label: `${code} ${lang === 'en' ? c.en : c.zh}` })) },
  { key: 'datasetType', group: 'classification', zh: '資料集類型', en: 'Dataset type', kind: 'select', empty: 'omit', options: opts(DATASET_TYPES) },
  { key: 'provisionType', group: 'classification', zh: '提供方式', en: 'Provision type', kind: 'select', empty: 'omit', options: opts(PROVISION_TYPES, (v, lang) => PROVISION_LABELS[v as keyof typeof PROVISION_LABELS][lang === 'en' ? 'en' : 'zh']) },
  { key: 'licenseId', group: 'classification', zh: '授權方式', en: 'Licence', kind: 'select', empty: 'omit', options: (lang) => LICENCES.map((l) => ({ value: l.id, label: lang === 'en' ? l.en : l.zh })) },
  { key: 'licenseUrl', group: 'classification', zh: '授權說明網址', en: 'Licence URL', kind: 'url', empty: 'null', hint: { zh: '留空則使用所選授權的網址。', en: 'Leave empty to use the chosen licence’s address.' } },
  { key: 'cost', group: 'classification', zh: '計費方式', en: 'Cost', kind: 'select', empty: 'omit', options: opts(COSTS, (v, lang) => (lang === 'en' ? (v === '免費' ? '免費 (free)' : '付費 (paid)') : v)) },
  { key: 'costUrl', group: 'classification', zh: '計費說明網址', en: 'Cost URL', kind: 'url', empty: 'null', hint: { zh: '付費資料必填。', en: 'Required when the data is paid.' } },
  { key: 'costLaw', group: 'classification', zh: '計費法令依據', en: 'Legal basis of the fee', kind: 'text', empty: 'null', hint: { zh: '付費資料必填。', en: 'Required when the data is paid.' } },

  { key: 'applicationTerms', group: 'classification', zh: '申請方式及條件', en: 'How to apply and conditions', kind: 'textarea', empty: 'null', hint: { zh: '「依申請提供」必填：向誰申請、需備文件、使用限制與收費。', en: 'Required when provided on application: whom to ask, documents needed, conditions of use and fees.' } },
  { key: 'revocable', group: 'classification', zh: '授權可否撤回', en: 'Licence revocable', kind: 'boolean', empty: 'omit', hint: { zh: '僅「依申請提供」適用；開放資料之授權不可撤回。', en: 'On-application data only; an open-data licence cannot be revoked.' } },
  { key: 'withholdingBasis', group: 'classification', zh: '不予提供之法律依據', en: 'Legal basis for withholding', kind: 'text', empty: 'null', hint: { zh: '「不予提供」必填，例如「政府資訊公開法第18條第1項第3款」；須經機關首長核定。', en: 'Required when withheld, e.g. 政府資訊公開法第18條第1項第3款; the head of agency decides.' } },

  { key: 'publisherName', group: 'contacts', zh: '提供機關名稱', en: 'Publisher', kind: 'text', empty: 'null', hint: { zh: '留空則為本機關。', en: 'Leave empty for this agency.' } },
  { key: 'publisherContactName', group: 'contacts', zh: '提供機關聯絡人姓名', en: 'Contact name', kind: 'text', empty: 'null', hint: { zh: '寫成「姓名 稱謂」，如「郭大明 先生」。', en: 'Written as "name title", e.g. 郭大明 先生.' } },
  { key: 'publisherContactPhone', group: 'contacts', zh: '提供機關聯絡人電話', en: 'Contact phone', kind: 'text', empty: 'null', hint: { zh: '例如 02-23803542。', en: 'E.g. 02-23803542.' } },
  { key: 'publisherContactEmail', group: 'contacts', zh: '提供機關聯絡人電子郵件', en: 'Contact e-mail', kind: 'email', empty: 'null' },
  { key: 'organizationName', group: 'contacts', zh: '上級機關名稱', en: 'Parent organisation', kind: 'text', empty: 'null' },
  { key: 'organizationContactName', group: 'contacts', zh: '上級機關聯絡人姓名', en: 'Parent organisation contact name', kind: 'text', empty: 'null' },
  { key: 'organizationContactPhone', group: 'contacts', zh: '上級機關聯絡人電話', en: 'Parent organisation contact phone', kind: 'text', empty: 'null' },
  { key: 'organizationContactEmail', group: 'contacts', zh: '上級機關聯絡人電子郵件', en: 'Parent organisation contact e-mail', kind: 'email', empty: 'null' },

  { key: 'updateFrequency', group: 'time', zh: '更新頻率', en: 'Update frequency', kind: 'text', required: true, empty: 'string', hint: { zh: '例如「每1月」、「每3月」、「每1年」、「每10分鐘」、「即時」或「不定期」。', en: 'E.g. 每1月 (monthly), 每3月, 每1年, 每10分鐘 (every 10 minutes), 即時 (real time) or 不定期 (irregular).' } },
  { key: 'temporalFrom', group: 'time', zh: '開始收錄日期', en: 'Coverage from', kind: 'text', empty: 'null', hint: { zh: 'YYYY-MM-DD（西元年），如 2020-01-01。', en: 'YYYY-MM-DD (Gregorian), e.g. 2020-01-01.' } },
  { key: 'temporalTo', group: 'time', zh: '結束收錄日期', en: 'Coverage to', kind: 'text', empty: 'null', hint: { zh: 'YYYY-MM-DD（西元年）。', en: 'YYYY-MM-DD (Gregorian).' } },
  { key: 'issued', group: 'time', zh: '發布時間', en: 'Issued', kind: 'text', empty: 'null', hint: { zh: 'YYYY-MM-DD hh:mm:ss，如 2024-01-05 09:00:00。', en: 'YYYY-MM-DD hh:mm:ss, e.g. 2024-01-05 09:00:00.' } },
  { key: 'modified', group: 'time', zh: '最後更新時間', en: 'Last modified', kind: 'text', empty: 'null', hint: { zh: 'YYYY-MM-DD hh:mm:ss。', en: 'YYYY-MM-DD hh:mm:ss.' } },

  { key: 'fieldDescription', group: 'fields', zh: '主要欄位說明', en: 'Main fields', kind: 'textarea', required: true, empty: 'null', hint: { zh: '國家標準文字格式：欄位名稱(中文名稱，說明)，以頓號「、」分隔，如「year(年度，西元年)、value(數值)」。', en: 'The national text form: name(title，description), separated by 、, e.g. year(年度，西元年)、value(數值).' } },

  { key: 'keywords', group: 'keywords', zh: '標籤/關鍵字', en: 'Keywords', kind: 'keywords', empty: 'omit', hint: { zh: '以頓號「、」或逗號分隔，如「物價、CPI」。', en: 'Separated by 、 or commas, e.g. 物價、CPI.' } },
];


export interface ResourceFieldSpec {
  key: keyof ResourceInput;
  zh: string;
  en: string;
  hint?: { zh: string; en: string };
  kind: 'text' | 'url' | 'number';
  required?: boolean;
}

export const RESOURCE_FIELDS: ResourceFieldSpec[] = [
  { key: 'name', zh: '資源名稱', en: 'Short name', kind: 'text', hint: { zh: '留空則用描述。', en: 'Defaults to the description.' } },
  { key: 'description', zh: '資料資源描述', en: 'Description', kind: 'text', required: true },
  { key: 'format', zh: '檔案格式', en: 'Format', kind: 'text', required: true, hint: { zh: `如 ${COMMON_FORMATS.slice(0, 6).join('、')}。`, en: `E.g. ${COMMON_FORMATS.slice(0, 6).join(', ')}.` } },
  { key: 'encoding', zh: '編碼格式', en: 'Encoding', kind: 'text', required: true, hint: { zh: `如 ${COMMON_ENCODINGS.slice(0, 3).join('、')}。`, en: `E.g. ${COMMON_ENCODINGS.slice(0, 3).join(', ')}.` } },
  { key: 'downloadUrl', zh: '資料下載網址', en: 'Download URL', kind: 'url', hint: { zh: '以 https:// 開頭的檔案網址；沒有時請填資料存取網址。', en: 'The file’s https:// address; otherwise give an access URL.' } },
  { key: 'accessUrl', zh: '資料存取網址', en: 'Access URL', kind: 'url' },
  { key: 'modified', zh: '資料資源最後更新時間', en: 'Last modified', kind: 'text', hint: { zh: 'YYYY-MM-DD hh:mm:ss。', en: 'YYYY-MM-DD hh:mm:ss.' } },
  { key: 'metadataSourceUrl', zh: '領域別詮釋資料參考網址', en: 'Domain metadata reference', kind: 'url' },
  { key: 'numberOfData', zh: '資料量', en: 'Number of records', kind: 'number' },
];

/** The form as entered: strings, as the controls hold them. */
export interface FormValues {
  fields: Record<string, string>;
  /** One entry per resource block; `resourceId` identifies an existing resource, `remove` is "on" to drop it. */
  resources: Record<string, string>[];
}

/** What the page shows for an error: the control's id (for the summary link) and the message. */
export interface FieldError {
  id: string | null;
  label: string;
  message: string;
}

export const fieldId = (key: string): string => `f-${key}`;
export const resourceFieldId = (i: number, key: string): string => `f-resources-${i}-${key}`;
export const resourceFieldName = (i: number, key: string): string => `r${i}.${key}`;

const specOf = (key: string): FieldSpec | undefined => DATASET_FIELDS.find((f) => f.key === key);

/** The form's values for a stored input (the editor's starting point). */
export function valuesOf(input: DatasetInput): FormValues {
  const fields: Record<string, string> = {};
  const source = input as Record<string, unknown>;
  for (const f of DATASET_FIELDS) {
    const v = source[f.key];
    if (f.kind === 'keywords') fields[f.key] = (input.keywords ?? []).join('、');
    else if (f.key === 'fieldDescription') fields[f.key] = input.fieldDescription ?? renderFieldDescription(input.fields ?? []);
    else if (typeof v === 'boolean') fields[f.key] = v ? 'true' : 'false';
    else if (typeof v === 'number' || typeof v === 'string') fields[f.key] = String(v);
    else fields[f.key] = '';
  }
  const resources = (input.resources ?? []).map((r) => {
    const out: Record<string, string> = { resourceId: r.resourceId ?? '' };
    for (const f of RESOURCE_FIELDS) {
      const v = r[f.key];
      out[f.key] = v === null || v === undefined ? '' : String(v);
    }
    return out;
  });
  return { fields, resources };
}

/** An empty form for a new dataset (UTF-8 and one resource block ready). */
export function emptyValues(unit: string): FormValues {
  const fields: Record<string, string> = Object.fromEntries(DATASET_FIELDS.map((f) => [f.key, '']));
  // The values the service would fill in anyway, shown so the clerk sees what they get.
  Object.assign(fields, { unit, datasetType: 'rawData', provisionType: 'open', licenseId: DEFAULT_LICENCE_ID, cost: '免費' });
  return { fields, resources: [emptyResource()] };
}

export const emptyResource = (): Record<string, string> => ({ ...Object.fromEntries(RESOURCE_FIELDS.map((f) => [f.key, ''])), resourceId: '', encoding: 'UTF-8' });

const one = (v: unknown): string => (typeof v === 'string' ? v : Array.isArray(v) && typeof v[0] === 'string' ? v[0] : '');

/** Reads the posted form (url-encoded, flat names) into form values; `blocks` is the number of resource blocks posted. */
export function readForm(body: Record<string, unknown>): FormValues {
  const fields: Record<string, string> = {};
  for (const f of DATASET_FIELDS) fields[f.key] = one(body[f.key]);
  const count = Math.min(Math.max(0, Number.parseInt(one(body.resourceCount), 10) || 0), 100);
  const resources: Record<string, string>[] = [];
  for (let i = 0; i < count; i++) {
    const r: Record<string, string> = { resourceId: one(body[resourceFieldName(i, 'resourceId')]), remove: one(body[resourceFieldName(i, 'remove')]) };
    for (const f of RESOURCE_FIELDS) r[f.key] = one(body[resourceFieldName(i, f.key)]);
    resources.push(r);
  }
  return { fields, resources };
}

const isBlank = (r: Record<string, string>): boolean => !r.resourceId && RESOURCE_FIELDS.every((f) => f.key === 'encoding' || !(r[f.key] ?? '').trim());

/** Result of turning form values into input: the input, form errors found on the way, and which block each resource came from. */
export interface ParsedForm {
  input: DatasetInput;
  /** Errors keyed like the service's (field, or resources[i].field with i the input index). */
  errors: Record<string, string[]>;
  /** blockOf[i] = the form block of input resource i. */
  blockOf: number[];
}

/**
 * Form values → DatasetInput, over `base` (the stored input when editing), so what the form does
 * not show (structured field types, 品質檢測, demo flag) is kept.
 */
export function toInput(values: FormValues, base: DatasetInput | undefined, lang: Lang): ParsedForm {
  const mm = manageMessages(lang);
  const errors: Record<string, string[]> = {};
  const out: Record<string, unknown> = { ...(base ?? {}) };
  for (const f of DATASET_FIELDS) {
    if (base && f.createOnly) continue;
    const raw = values.fields[f.key] ?? '';
    const t = raw.trim();
    if (f.kind === 'keywords') {
      out.keywords = t.split(/[、,，;；\n]/).map((k) => k.trim()).filter((k) => k.length > 0);
    } else if (f.kind === 'number') {
      if (!t) out[f.key] = null;
      else if (/^\d{1,15}$/.test(t)) out[f.key] = Number(t);
      else (errors[f.key] ??= []).push(`${f.zh}${mm.numberInvalid} / ${f.en} ${manageMessages('en').numberInvalid}`);
    } else if (f.kind === 'boolean') {
      if (t === 'true' || t === 'false') out[f.key] = t === 'true';
      else if (f.empty === 'omit') delete out[f.key];
      else out[f.key] = null;
    } else if (!t) {
      // "必填" in the clerk's words, rather than the national check's message about an empty value.
      if (f.required && f.key !== 'unit') (errors[f.key] ??= []).push(`${f.zh}為必填 / ${f.en} is required`);
      if (f.empty === 'omit') delete out[f.key];
      else out[f.key] = f.empty === 'string' ? '' : null;
    } else out[f.key] = raw;
  }
  // The text form is what the clerk edits; when it still reads as the stored fields, keep those
  // (with their types and codes, which the text form cannot carry).
  const text = (values.fields.fieldDescription ?? '').trim();
  if (base && (base.fields ?? []).length > 0 && text === renderFieldDescription(base.fields ?? [])) {
    out.fields = base.fields;
    out.fieldDescription = null;
  } else {
    out.fields = [];
    out.fieldDescription = text || null;
  }
  const resources: ResourceInput[] = [];
  const blockOf: number[] = [];
  values.resources.forEach((r, block) => {
    if (r.remove === 'on' || isBlank(r)) return;
    const res: Record<string, unknown> = { resourceId: r.resourceId?.trim() || null };
    for (const f of RESOURCE_FIELDS) {
      const t = (r[f.key] ?? '').trim();
      if (f.kind === 'number') {
        if (!t) res[f.key] = null;
        else if (/^\d{1,15}$/.test(t)) res[f.key] = Number(t);
        else (errors[`resources[${resources.length}].${f.key}`] ??= []).push(`${f.zh}${mm.numberInvalid} / ${f.en} ${manageMessages('en').numberInvalid}`);
      } else if (f.required) res[f.key] = t;
      else res[f.key] = t || null;
    }
    blockOf.push(block);
    resources.push(res as unknown as ResourceInput);
  });
  out.resources = resources;
  return { input: out as unknown as DatasetInput, errors, blockOf };
}

/**
 * Service error details (keys `title`, `resources[0].format`, `resources.0.resourceId`,
 * `fields[2].name` …, messages "zh / en") → errors per control of the form.
 */
export function formErrors(details: Record<string, string[]>, blockOf: number[], lang: Lang): FieldError[] {
  const out: FieldError[] = [];
  for (const [key, messages] of Object.entries(details)) {
    let id: string | null = null;
    let label = key;
    const res = /^resources(?:\[(\d+)\]|\.(\d+))\.(\w+)$/.exec(key);
    if (res) {
      const i = Number(res[1] ?? res[2]);
      const block = blockOf[i] ?? i;
      const spec = RESOURCE_FIELDS.find((f) => f.key === res[3]);
      id = spec ? resourceFieldId(block, spec.key) : null;
      const m = manageMessages(lang);
      label = `${m.resourceLegend(block + 1)} ${spec ? (lang === 'en' ? spec.en : spec.zh) : res[3]}`;
    } else {
      const spec = specOf(/^fields\[/.test(key) ? 'fieldDescription' : key);
      if (spec) {
        id = fieldId(spec.key);
        label = lang === 'en' ? spec.en : spec.zh;
      }
    }
    for (const message of messages) out.push({ id, label, message: pickLang(message, lang) });
  }
  return out;
}
