/**
 * Turns the demo definitions into a catalogue for one reference date: which unit holds each
 * dataset, its national identifier, the periods released by then, its dates (發布時間,
 * 最後更新時間, 收錄期間), its metadata as a DatasetInput, and its files.
 *
 * Everything is a pure function of (config, reference date). The reference date is the day the
 * demo was first loaded, stored in the database, so metadata and generated files agree on every
 * later start and on every instance sharing the database.
 */
import type { Config, UnitConfig } from '../../config.ts';
import type { DatasetInput, ResourceInput } from '../catalogue/catalogue.schemas.ts';
import type { FieldDef } from '../catalogue/national.ts';
import { CONTACTS, DEMO_DATASETS, DEMO_NOTICE, type Contact, type DemoDataset, type DemoFormat, type ListingEntry, type Row } from './demo.catalogue.ts';
import { addDays, dateOf, frequencyText, isoDate, periodDescription, periodEnd, periodStart, releaseDate, releasedPeriods } from './demo.periods.ts';
import { buildRows, hashOf } from './demo.tables.ts';

export const FILE_EXTENSIONS: Record<DemoFormat, string> = { CSV: 'csv', JSON: 'json', XML: 'xml' };

const FORMAT_NOTES: Record<DemoFormat, string> = {
  CSV: 'CSV 格式（UTF-8，首列為欄位名稱）',
  JSON: 'JSON 格式（物件陣列，鍵為欄位名稱）',
  XML: 'XML 格式（每筆資料一個 record 元素）',
};

export interface DemoFile {
  format: DemoFormat;
  /** e.g. cpi.csv */
  fileName: string;
  /** Relative URL the server answers; the catalogue makes it absolute with the base URL. */
  url: string;
}

export interface PlannedDataset {
  def: DemoDataset;
  identifier: string;
  /** URL name: demo-<slug>. */
  name: string;
  unit: UnitConfig;
  periods: number[];
  updateFrequency: string;
  issued: string;
  modified: string;
  temporalFrom: string | null;
  temporalTo: string | null;
  /** Fields as stored: generator details removed, period descriptions and code meanings filled in. */
  fields: FieldDef[];
  files: DemoFile[];
}

export interface DemoPlan {
  referenceDate: string;
  datasets: PlannedDataset[];
  /** Rows of a dataset (made once per plan). */
  rows(d: PlannedDataset): Row[];
  /** The dataset and format a file name belongs to. */
  file(fileName: string): { dataset: PlannedDataset; file: DemoFile } | undefined;
  /** The DatasetInput saved for a dataset. */
  input(d: PlannedDataset): DatasetInput;
}

/**
 * Each dataset goes to its own unit when that unit is configured; the rest are dealt out to the
 * configured units, those that would otherwise have none first, so another agency's unit list
 * still gets a demo spread over all of its units.
 */
export function assignUnits(units: readonly UnitConfig[], defs: readonly DemoDataset[] = DEMO_DATASETS): Map<string, UnitConfig> {
  const byName = new Map(units.map((u) => [u.name, u]));
  const out = new Map<string, UnitConfig>();
  const orphans: DemoDataset[] = [];
  for (const d of defs) {
    const u = byName.get(d.unit);
    if (u) out.set(d.serial, u);
    else orphans.push(d);
  }
  const used = new Set([...out.values()].map((u) => u.name));
  const order = [...units.filter((u) => !used.has(u.name)), ...units.filter((u) => used.has(u.name))];
  orphans.forEach((d, i) => out.set(d.serial, order[i % order.length]));
  return out;
}

const DATETIME = (date: Date, time: string) => `${isoDate(date)} ${time}`;

/**
 * Code meanings go into 主要欄位說明, except where the table itself names each code in a label
 * column (22 county or 17 industry names would overrun the national 255-character limit).
 */
function fieldsOf(def: DemoDataset): FieldDef[] {
  return def.fields.map((f) => {
    const { gen, decimals: _decimals, ...field } = f;
    const out: FieldDef = { ...field };
    if (gen?.kind === 'period' && !out.description) out.description = periodDescription(def.schedule);
    if (gen?.kind === 'dim' && gen.show === 'code') {
      const labelled = def.fields.find((o) => o.gen?.kind === 'label' && o.gen.of === f.name);
      if (labelled) out.description = [out.description, `名稱見 ${labelled.name} 欄`].filter(Boolean).join('，');
      else out.codes = gen.values.map((v) => ({ code: v.code, meaning: v.label }));
    }
    return out;
  });
}

function plannedDataset(config: Config, def: DemoDataset, unit: UnitConfig, referenceDate: string): PlannedDataset {
  const ref = dateOf(referenceDate);
  const s = def.schedule;
  const periods = releasedPeriods(s, referenceDate);
  const h = hashOf(def.slug);
  const first = periods[0];
  const last = periods[periods.length - 1];
  let modified: string;
  if (s.irregular || last === undefined) modified = DATETIME(addDays(ref, -(20 + (h % 90))), '10:30:00');
  else modified = DATETIME(releaseDate(s, last), '16:00:00');
  // 發布時間: when it was first listed, years back for long-running tables; never after 最後更新時間.
  const listed = first === undefined ? ref : releaseDate(s, first);
  const fixed = new Date(Date.UTC(2014 + (h % 5), (h >>> 3) % 12, 1 + ((h >>> 7) % 28)));
  let issued = DATETIME(fixed > listed ? fixed : listed, '10:00:00');
  if (issued > modified) issued = modified;
  const temporal = !def.noTemporal && first !== undefined && last !== undefined;
  return {
    def,
    identifier: `${config.agency.code}-${def.serial}`,
    name: `demo-${def.slug}`,
    unit,
    periods,
    updateFrequency: frequencyText(s),
    issued,
    modified,
    temporalFrom: temporal ? isoDate(periodStart(s.granularity, first)) : null,
    temporalTo: temporal ? isoDate(periodEnd(s.granularity, last)) : null,
    fields: fieldsOf(def),
    files: def.formats.map((format) => {
      const fileName = `${def.slug}.${FILE_EXTENSIONS[format]}`;
      return { format, fileName, url: `/demo/files/${fileName}` };
    }),
  };
}

function resourcesOf(d: PlannedDataset, count: number): ResourceInput[] {
  return d.files.map((f) => ({
    name: `${d.def.title}（${f.format}）`,
    description: d.def.onApplication
      ? `模擬樣本資料（${count}筆，僅示範欄位格式；完整資料依申請提供），${FORMAT_NOTES[f.format]}`
      : `${d.def.title}，${FORMAT_NOTES[f.format]}`,
    format: f.format,
    encoding: 'UTF-8',
    downloadUrl: f.url,
    modified: d.modified,
    numberOfData: count,
  }));
}

function inputOf(config: Config, d: PlannedDataset, rowCount: number): DatasetInput {
  const def = d.def;
  const contact: Contact = CONTACTS[def.unit] ?? CONTACTS.dgbas;
  const window = CONTACTS.it;
  return {
    unit: d.unit.name,
    name: d.name,
    identifier: d.identifier,
    provisionType: def.onApplication ? 'on_application' : 'open',
    categoryCode: def.categoryCode,
    title: def.title,
    titleEn: def.titleEn,
    description: def.description,
    fields: d.fields,
    datasetType: 'rawData',
    licenseId: 'OGDL-Taiwan-1.0',
    cost: def.onApplication ? '付費' : '免費',
    costUrl: def.onApplication?.costUrl ?? null,
    costLaw: def.onApplication?.costLaw ?? null,
    applicationTerms: def.onApplication
      ? '示範：填具資料申請書，敘明用途並簽署資料使用切結書後，向提供機關聯絡人申請；經審核同意後，以加密媒體或安全傳輸提供，費用依計費說明收取。'
      : null,
    revocable: Boolean(def.onApplication),
    organizationName: '行政院',
    organizationContactName: window.name,
    organizationContactPhone: window.phone,
    organizationContactEmail: window.email,
    publisherName: config.agency.title,
    publisherContactName: contact.name,
    publisherContactPhone: contact.phone,
    publisherContactEmail: contact.email,
    updateFrequency: d.updateFrequency,
    temporalFrom: d.temporalFrom,
    temporalTo: d.temporalTo,
    issued: d.issued,
    modified: d.modified,
    spatial: '臺灣',
    language: 'zh',
    landingPage: def.landingPage ?? null,
    numberOfData: rowCount,
    notes: def.notes ? `${DEMO_NOTICE}\n${def.notes}` : DEMO_NOTICE,
    keywords: def.keywords,
    resources: resourcesOf(d, rowCount),
    dataAttribute: '檔案資料',
    isDemo: true,
  };
}

const plans = new WeakMap<Config, Map<string, DemoPlan>>();

/** The demo catalogue as of a reference date (YYYY-MM-DD, a Taipei calendar day); cached per config and date. */
export function planDemo(config: Config, referenceDate: string): DemoPlan {
  let byDate = plans.get(config);
  if (!byDate) plans.set(config, (byDate = new Map<string, DemoPlan>()));
  const cached = byDate.get(referenceDate);
  if (cached) return cached;

  const units = assignUnits(config.units);
  const datasets = DEMO_DATASETS.map((def) => plannedDataset(config, def, units.get(def.serial) ?? config.units[0], referenceDate));
  const listing: ListingEntry[] = datasets.map((d) => ({
    identifier: d.identifier,
    title: d.def.title,
    unitTitle: d.unit.title,
    categoryCode: d.def.categoryCode,
    updateFrequency: d.updateFrequency,
    formats: d.def.formats.join(';'),
    modified: d.modified,
  }));
  const rowCache = new Map<string, Row[]>();
  const rows = (d: PlannedDataset): Row[] => {
    let r = rowCache.get(d.def.serial);
    if (!r) rowCache.set(d.def.serial, (r = buildRows(d.def, { periods: d.periods, listing })));
    return r;
  };
  const files = new Map(datasets.flatMap((d) => d.files.map((f) => [f.fileName, { dataset: d, file: f }] as const)));
  const plan: DemoPlan = {
    referenceDate,
    datasets,
    rows,
    file: (fileName) => files.get(fileName),
    input: (d) => inputOf(config, d, rows(d).length),
  };
  byDate.set(referenceDate, plan);
  return plan;
}
