import { parseFrequency } from '../catalogue/national.ts';
import { normaliseCell, parseDate } from '../ingest/values.ts';
import {
  CLASSIFICATION_LABELS,
  CLASSIFICATIONS,
  SENSITIVITIES,
  SENSITIVITY_LABELS,
  SOURCE_LABELS,
  SOURCES,
  type Classification,
  type ItemInput,
  type ItemProblem,
  type Sensitivity,
  type Source,
} from './inventory.types.ts';

/** How a field is entered: the form control, and how a spreadsheet cell is read. */
export type FieldKind = 'text' | 'longtext' | 'select' | 'date' | 'boolean' | 'integer';

export interface ItemField {
  id: keyof ItemInput;
  /** The column heading of the spreadsheet template and the form label (zh-TW), and in English. */
  heading: string;
  headingEn: string;
  kind: FieldKind;
  /** true: always; 'open': when classified open; 'closed': when not open. */
  required: boolean | 'open' | 'closed';
  /** Choices of a select: [value, zh label, en label]. */
  options?: readonly (readonly [string, string, string])[];
  hint: string;
  hintEn: string;
  /** Other headings a file may use for this column. */
  aliases?: readonly string[];
}

const choices = <T extends string>(ids: readonly T[], labels: Record<T, [string, string]>): [T, string, string][] => ids.map((id) => [id, labels[id][0], labels[id][1]]);

/**
 * The inventory's fields in template order: one list for the spreadsheet template and reader, the
 * back-office form and the API's messages (issue 6: 年度盤點).
 */
export const ITEM_FIELDS: readonly ItemField[] = [
  { id: 'itemKey', heading: '項目代碼', headingEn: 'Item key', kind: 'text', required: false, hint: '留空由系統產生；沿用去年清單時保留原代碼，以比對增刪', hintEn: 'leave blank for a new item; keep last year\'s key so the lists can be compared', aliases: ['代碼', 'key'] },
  { id: 'name', heading: '資料名稱', headingEn: 'Data name', kind: 'text', required: true, hint: '例：消費者物價指數', hintEn: 'e.g. consumer price index', aliases: ['資料項目名稱', '名稱', 'name'] },
  { id: 'source', heading: '資料來源', headingEn: 'Source', kind: 'select', required: true, options: choices(SOURCES, SOURCE_LABELS), hint: '網站、資訊系統、資料庫、調查或其他', hintEn: 'website, information system, database, survey or other', aliases: ['來源', 'source'] },
  { id: 'systemName', heading: '系統名稱', headingEn: 'System name', kind: 'text', required: false, hint: '產生資料的網站或系統名稱', hintEn: 'the website or system that produces it', aliases: ['網站或系統名稱', '資訊系統名稱'] },
  { id: 'description', heading: '資料說明', headingEn: 'Description', kind: 'longtext', required: false, hint: '資料內容摘要', hintEn: 'what the data holds', aliases: ['說明', '描述', 'description'] },
  { id: 'ownerUnit', heading: '權責單位', headingEn: 'Owner unit', kind: 'text', required: false, hint: '留空為本單位', hintEn: 'blank: this unit', aliases: ['負責單位', '主管單位'] },
  { id: 'classification', heading: '資料分級', headingEn: 'Classification', kind: 'select', required: true, options: choices(CLASSIFICATIONS, CLASSIFICATION_LABELS), hint: '開放資料、依申請提供或不予提供', hintEn: 'open data, on application, or not provided', aliases: ['分級', '開放類型', '提供方式', 'classification'] },
  { id: 'legalBasis', heading: '法律依據', headingEn: 'Legal basis', kind: 'text', required: 'closed', hint: '非開放資料必填，例：政府資訊公開法第18條第1項第6款', hintEn: 'required unless open, e.g. Freedom of Government Information Law art. 18(1)(6)', aliases: ['依據', '法令依據'] },
  { id: 'reason', heading: '不開放理由', headingEn: 'Reason not open', kind: 'longtext', required: 'closed', hint: '非開放資料必填，說明不開放或依申請提供的原因', hintEn: 'required unless open: why it is not open data', aliases: ['理由', '原因', '不開放原因'] },
  { id: 'sensitivity', heading: '敏感程度', headingEn: 'Sensitivity', kind: 'select', required: true, options: choices(SENSITIVITIES, SENSITIVITY_LABELS), hint: '低、中或高', hintEn: 'low, medium or high', aliases: ['敏感性', '機敏程度'] },
  { id: 'genderFlag', heading: '性別統計', headingEn: 'Gender statistics', kind: 'boolean', required: false, hint: '含性別分類統計填「是」', hintEn: '"是" (yes) when broken down by sex', aliases: ['性別', '是否為性別統計'] },
  { id: 'priority', heading: '優先順序', headingEn: 'Priority', kind: 'integer', required: false, hint: '0 為一般，數字愈大愈優先', hintEn: '0 normal; higher comes first', aliases: ['優先'] },
  { id: 'plannedDate', heading: '預定開放日期', headingEn: 'Planned opening date', kind: 'date', required: 'open', hint: '開放資料必填，如 2026-06-30 或 115/06/30', hintEn: 'required for open data, e.g. 2026-06-30 or 115/06/30 (ROC)', aliases: ['預計開放日期', '開放日期', '預定開放時間'] },
  { id: 'updateFrequency', heading: '更新頻率', headingEn: 'Update frequency', kind: 'text', required: false, hint: '如 每1月、每1年、不定期', hintEn: 'e.g. 每1月, 每1年, 不定期', aliases: ['更新週期'] },
  { id: 'datasetRef', heading: '對應資料集', headingEn: 'Dataset', kind: 'text', required: false, hint: '已開放者填資料集識別碼', hintEn: 'the dataset identifier, once open', aliases: ['資料集', '資料集識別碼'] },
  { id: 'notes', heading: '備註', headingEn: 'Notes', kind: 'longtext', required: false, hint: '', hintEn: '', aliases: ['說明事項'] },
];

/**
 * The published open-data list (資料開放清單及期程, /inventory/<year>.csv and its catalogue dataset): the
 * unit, then the item fields a public reader needs — not the internal priority, notes or dataset link.
 */
export const LIST_UNIT_HEADING = '單位';
export const PUBLIC_LIST_FIELDS: readonly ItemField[] = ITEM_FIELDS.filter((f) => f.id !== 'datasetRef' && f.id !== 'notes' && f.id !== 'priority');

export const fieldById = (id: string): ItemField | undefined => ITEM_FIELDS.find((f) => f.id === id);

const MAX_TEXT = 2000;

/**
 * A cell's text, trimmed (ideographic and no-break spaces too). `fold` also turns full-width forms
 * into ASCII (NFKC), for codes, choices, numbers and dates only: free text keeps the clerk's
 * punctuation (「，」 stays 「，」).
 */
function text(v: unknown, fold = true): string | null {
  if (v === undefined || v === null) return null;
  const raw = typeof v === 'string' ? v : typeof v === 'number' || typeof v === 'boolean' ? String(v) : JSON.stringify(v);
  const s = fold ? normaliseCell(raw).trim() : raw.replace(/^[\s\u3000\u00a0]+|[\s\u3000\u00a0]+$/g, '');
  return s === '' ? null : s;
}

/** A select's value from its id, its zh or English label, or a short zh form (開放 for 開放資料). */
function choice<T extends string>(v: string, field: ItemField): T | undefined {
  const key = v.replace(/\s+/g, '').toLowerCase();
  for (const [id, zh, en] of field.options ?? []) {
    if (key === id.toLowerCase() || key === zh.toLowerCase() || key === en.replace(/\s+/g, '').toLowerCase()) return id as T;
  }
  // Short or older wordings units use.
  const SHORT: Record<string, string> = { 開放: 'open', 公開: 'open', 依申請: 'application', 申請提供: 'application', 不開放: 'withheld', 不提供: 'withheld', 不予開放: 'withheld', 系統: 'system', 資訊系統: 'system', 問卷調查: 'survey', 統計調查: 'survey' };
  const s = SHORT[key];
  return s && (field.options ?? []).some(([id]) => id === s) ? (s as T) : undefined;
}

function yesNo(v: unknown): boolean | undefined {
  if (typeof v === 'boolean') return v;
  const s = text(v);
  if (s === null) return false;
  if (/^(是|y|yes|true|1|v|✓|有)$/i.test(s)) return true;
  if (/^(否|n|no|false|0|無)$/i.test(s)) return false;
  return undefined;
}

/**
 * Reads one item from raw values keyed by field id (form fields, a JSON body, or a spreadsheet row
 * mapped by its headings): trims, maps labels to codes, reads dates in the forms agencies write
 * (2026-06-30, 2026/6/30, 115/06/30, 115年6月30日), and applies the cross-field rules. `row` is
 * what the problems cite (the file's line, or the item's position). Every problem is returned,
 * named by field and column heading, in zh-TW and English; `item` is null when there is any.
 */
export function parseItem(raw: Record<string, unknown>, row: number): { item: ItemInput | null; problems: ItemProblem[] } {
  const problems: ItemProblem[] = [];
  const bad = (f: ItemField, zh: string, en: string): void => {
    problems.push({ row, field: f.id, column: f.heading, zh: `第 ${row} 列「${f.heading}」：${zh}`, en: `row ${row}, "${f.heading}" (${f.headingEn}): ${en}` });
  };
  const F = (id: keyof ItemInput): ItemField => fieldById(id) as ItemField;

  const values: Record<string, string | null> = {};
  for (const f of ITEM_FIELDS) {
    const v = text(raw[f.id], (f.kind !== 'text' && f.kind !== 'longtext') || f.id === 'itemKey' || f.id === 'updateFrequency' || f.id === 'datasetRef');
    if (v !== null && v.length > MAX_TEXT) bad(f, `超過 ${MAX_TEXT} 字`, `longer than ${MAX_TEXT} characters`);
    values[f.id] = v;
  }

  const name = values.name;
  if (!name) bad(F('name'), '必填，請填資料名稱', 'required: give the data name');

  const pick = <T extends string>(id: keyof ItemInput): T | null => {
    const f = F(id);
    const v = values[id];
    if (v === null) {
      if (f.required === true) bad(f, `必填，請填 ${(f.options ?? []).map((o) => o[1]).join('、')} 之一`, `required: one of ${(f.options ?? []).map((o) => `${o[1]} (${o[2]})`).join(', ')}`);
      return null;
    }
    const c = choice<T>(v, f);
    if (!c) bad(f, `「${v}」不是可用的選項，請填 ${(f.options ?? []).map((o) => o[1]).join('、')} 之一`, `"${v}" is not a choice: use one of ${(f.options ?? []).map((o) => `${o[1]} (${o[2]})`).join(', ')}`);
    return c ?? null;
  };
  const source = pick<Source>('source');
  const classification = pick<Classification>('classification');
  const sensitivity = pick<Sensitivity>('sensitivity');

  let plannedDate: string | null = null;
  const pd = values.plannedDate;
  if (pd !== null) {
    const d = parseDate(pd);
    if (d?.granularity === 'day') plannedDate = d.iso;
    else bad(F('plannedDate'), `「${pd}」不是日期，請寫成 2026-06-30 或 115/06/30`, `"${pd}" is not a date: write 2026-06-30 or 115/06/30 (ROC)`);
  }
  // A date cell from a spreadsheet reader may already be ISO with a time part.
  if (plannedDate === null && pd && /^\d{4}-\d{2}-\d{2}T/.test(pd) && parseDate(pd.slice(0, 10))?.granularity === 'day') {
    problems.pop();
    plannedDate = pd.slice(0, 10);
  }

  const genderRaw = raw.genderFlag;
  const genderFlag = yesNo(genderRaw);
  if (genderFlag === undefined) bad(F('genderFlag'), `「${text(genderRaw)}」請填「是」或「否」`, `"${text(genderRaw)}": write 是 (yes) or 否 (no)`);

  let priority = 0;
  const pr = values.priority;
  if (pr !== null) {
    const n = /^\d+$/.test(pr) ? Number(pr) : NaN;
    if (!Number.isInteger(n) || n < 0 || n > 999) bad(F('priority'), `「${pr}」須為 0 至 999 的整數`, `"${pr}" must be a whole number 0–999`);
    else priority = n;
  }

  const freq = values.updateFrequency;
  if (freq !== null && !parseFrequency(freq)) bad(F('updateFrequency'), `「${freq}」須寫成 每N日/週/月/年、每N分鐘、即時或不定期`, `"${freq}" must be 每N日/週/月/年, 每N分鐘, 即時 or 不定期`);

  const key = values.itemKey;
  if (key !== null && !/^[\w.-]{1,64}$/.test(key)) bad(F('itemKey'), '只能用英數字、底線、連字號與句點（最多 64 字）', 'letters, digits, _ - . only (at most 64)');

  // Cross-field rules: anything not open says why and under which law; open items say when.
  if (classification && classification !== 'open') {
    if (!values.legalBasis) bad(F('legalBasis'), `「${CLASSIFICATION_LABELS[classification][0]}」須填法律依據（例：政府資訊公開法第18條第1項第6款、個人資料保護法）`, `"${CLASSIFICATION_LABELS[classification][1]}" needs its legal basis (e.g. Freedom of Government Information Law art. 18, Personal Data Protection Act)`);
    if (!values.reason) bad(F('reason'), `「${CLASSIFICATION_LABELS[classification][0]}」須說明不開放的理由`, `"${CLASSIFICATION_LABELS[classification][1]}" needs the reason it is not open`);
  }
  if (classification === 'open' && plannedDate === null && pd === null) bad(F('plannedDate'), '開放資料須填預定開放日期', 'open data needs its planned opening date');

  if (problems.length || !name || !source || !classification || !sensitivity || genderFlag === undefined) return { item: null, problems };
  return {
    item: {
      itemKey: key,
      name,
      source,
      systemName: values.systemName,
      description: values.description,
      ownerUnit: values.ownerUnit,
      classification,
      legalBasis: values.legalBasis,
      reason: values.reason,
      sensitivity,
      genderFlag,
      priority,
      plannedDate,
      updateFrequency: freq,
      datasetRef: values.datasetRef,
      notes: values.notes,
    },
    problems,
  };
}

/**
 * Reads a whole list (a file's rows, an API body): every row's problems, plus duplicate names and
 * keys across rows. Nothing is returned as items unless every row is good (all or nothing).
 */
export function parseItems(rows: readonly { raw: Record<string, unknown>; row: number }[]): { items: ItemInput[]; problems: ItemProblem[] } {
  const items: ItemInput[] = [];
  const problems: ItemProblem[] = [];
  const names = new Map<string, number>();
  const keys = new Map<string, number>();
  for (const r of rows) {
    const p = parseItem(r.raw, r.row);
    problems.push(...p.problems);
    if (!p.item) continue;
    items.push(p.item);
    const nameField = fieldById('name') as ItemField;
    const seen = names.get(p.item.name);
    if (seen !== undefined) problems.push({ row: r.row, field: 'name', column: nameField.heading, zh: `第 ${r.row} 列「${nameField.heading}」：與第 ${seen} 列重複「${p.item.name}」`, en: `row ${r.row}, "${nameField.heading}" (${nameField.headingEn}): the same as row ${seen} ("${p.item.name}")` });
    else names.set(p.item.name, r.row);
    if (p.item.itemKey) {
      const keyField = fieldById('itemKey') as ItemField;
      const k = keys.get(p.item.itemKey);
      if (k !== undefined) problems.push({ row: r.row, field: 'itemKey', column: keyField.heading, zh: `第 ${r.row} 列「${keyField.heading}」：與第 ${k} 列重複「${p.item.itemKey}」`, en: `row ${r.row}, "${keyField.heading}" (${keyField.headingEn}): the same key as row ${k} ("${p.item.itemKey}")` });
      else keys.set(p.item.itemKey, r.row);
    }
  }
  return problems.length ? { items: [], problems } : { items, problems };
}
