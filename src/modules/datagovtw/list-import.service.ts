import type { Readable } from 'node:stream';
import { parse, type CsvError } from 'csv-parse';
import { AppError } from '../../errors.ts';
import type { Services } from '../../services.ts';
import { normalizeDatasetInput, validateDataset } from '../catalogue/catalogue.validation.ts';
import { msg } from '../catalogue/national.ts';
import type { Actor } from '../audit/audit.service.ts';
import type { Unit } from '../units/units.service.ts';
import { checkHeader, columnOfField, entryToInput, parseListRow, type ListColumn, type ListEntry, type RowProblem } from './list-format.ts';

/** A problem found in the file, located by the physical line its record starts on. */
export interface LineProblem extends RowProblem {
  line: number;
  identifier: string | null;
}

export interface ImportProgress {
  rows: number;
  created: number;
  updated: number;
  failed: number;
  /** Bytes of the file read so far. */
  bytes: number;
}

export interface ImportReport {
  rows: number;
  created: number;
  updated: number;
  failed: number;
  /** Data rows with every cell blank, passed over. */
  skipped: number;
  errors: LineProblem[];
  warnings: LineProblem[];
}

export interface ImportOptions {
  /** Unit (name) for rows whose 提供機關 is the agency itself; default: the open-data window. */
  unit?: string;
  onProgress?: (p: ImportProgress) => void;
  /** Call onProgress every this many rows (and at the end). */
  progressEvery?: number;
  /** Audit-trail label of the import (actor "system"), e.g. `import datagovtw list.csv`. */
  auditLabel?: string;
}

const LINE_BREAKS = /\r\n|\r|\n/g;
const lineBreaks = (cells: string[]) => cells.reduce((n, c) => n + (c.match(LINE_BREAKS)?.length ?? 0), 0);

interface ParsedRecord {
  record: string[];
  info: { empty_lines: number; records: number };
}

type ImportServices = Pick<Services, 'catalogue' | 'units'>;

/**
 * Imports the national 22-column list (data.gov.tw export) from a stream, idempotently by
 * 資料集識別碼. Every good row is saved as `published`; a bad row is reported with the line its
 * record starts on and writes nothing. Rows of the agency itself go to `opts.unit` (default:
 * the open-data window) unless already in the catalogue, where they stay in their unit; rows
 * of other agencies go to a unit of their own. Throws DATAGOVTW_BAD_HEADER (nothing imported)
 * when the file is not in the list format.
 */
export async function importDatagovtwList(s: ImportServices, input: Readable, opts: ImportOptions = {}): Promise<ImportReport> {
  const explicitUnit = opts.unit ? await s.units.get(opts.unit) : undefined;
  const defaultUnit = explicitUnit ?? (await s.units.window());
  const report: ImportReport = { rows: 0, created: 0, updated: 0, failed: 0, skipped: 0, errors: [], warnings: [] };
  const every = opts.progressEvery ?? 100;
  let bytes = 0;
  const progress = () => opts.onProgress?.({ rows: report.rows, created: report.created, updated: report.updated, failed: report.failed, bytes });

  const parser = parse({ bom: true, info: true, relax_column_count: true, relax_quotes: true, skip_empty_lines: true, skip_records_with_error: true });
  // Records csv-parse could not read (e.g. a quote never closed); placed once we know where.
  const unreadable: CsvError[] = [];
  parser.on('skip', (e: CsvError) => unreadable.push(e));
  input.on('data', (chunk: Buffer | string) => {
    bytes += chunk.length;
  });
  input.on('error', (e) => parser.destroy(e));
  input.pipe(parser);

  // Physical line on which the previous record ended; records may span lines.
  let prevEnd = 0;
  let prevEmpty = 0;
  const flushUnreadable = (beforeRecord: number) => {
    while (unreadable.length > 0 && Number(unreadable[0].records ?? 0) < beforeRecord) {
      const e = unreadable.shift();
      if (!e) break;
      const line = prevEnd + 1;
      report.rows++;
      report.failed++;
      report.errors.push({ line, identifier: null, column: null, message: msg(`無法讀取這筆記錄（${e.message}）`, `this record cannot be read (${e.message})`) });
      prevEnd = Math.max(prevEnd + 1, Number(e.lines ?? 0));
    }
  };

  const firstLine = new Map<string, number>();
  const externalUnits = new Map<string, Unit>();
  let header = true;
  try {
    for await (const { record, info } of parser as AsyncIterable<ParsedRecord>) {
      flushUnreadable(info.records);
      const line = prevEnd + 1 + (info.empty_lines - prevEmpty);
      prevEnd = line + lineBreaks(record);
      prevEmpty = info.empty_lines;
      if (header) {
        header = false;
        const h = checkHeader(record);
        if (!h.ok) throw new AppError('DATAGOVTW_BAD_HEADER', 400, h.zh, h.en);
        continue;
      }
      if (record.every((c) => c.trim() === '')) {
        report.skipped++;
        continue;
      }
      report.rows++;
      const outcome = await importRow(s, record, line, { explicitUnit, defaultUnit, firstLine, externalUnits, actor: { id: 'system', label: opts.auditLabel ?? 'import datagovtw' } });
      report.warnings.push(...outcome.warnings);
      if (outcome.errors.length > 0) {
        report.failed++;
        report.errors.push(...outcome.errors);
      } else if (outcome.created) report.created++;
      else report.updated++;
      if (report.rows % every === 0) progress();
    }
  } finally {
    input.unpipe(parser);
    input.destroy();
  }
  if (header && unreadable.length > 0) throw new AppError('DATAGOVTW_BAD_HEADER', 400, `無法讀取標題列（${unreadable[0].message}）`, `the header cannot be read (${unreadable[0].message})`);
  if (header) throw new AppError('DATAGOVTW_BAD_HEADER', 400, '檔案是空的，沒有國家資料開放平臺清單的標題列', 'the file is empty: no data.gov.tw list header');
  flushUnreadable(Number.POSITIVE_INFINITY);
  progress();
  return report;
}

interface RowContext {
  explicitUnit: Unit | undefined;
  actor: Actor;
  defaultUnit: Unit;
  firstLine: Map<string, number>;
  externalUnits: Map<string, Unit>;
}

async function importRow(
  s: ImportServices,
  record: string[],
  line: number,
  ctx: RowContext,
): Promise<{ created: boolean; errors: LineProblem[]; warnings: LineProblem[] }> {
  const parsed = parseListRow(record);
  const identifier = parsed.entry?.identifier ?? (record[0]?.trim() || null);
  const at = (p: RowProblem): LineProblem => ({ ...p, line, identifier });
  const warnings = parsed.warnings.map(at);
  const entry = parsed.entry;
  if (!entry) return { created: false, errors: parsed.errors.map(at), warnings };

  const seenAt = ctx.firstLine.get(entry.identifier);
  if (seenAt !== undefined) {
    warnings.push(at({ column: '資料集識別碼', message: msg(`資料集識別碼已出現在第${seenAt}行，本行取代該行`, `identifier already appears on line ${seenAt}; this row replaces it`) }));
  } else ctx.firstLine.set(entry.identifier, line);

  const found = await s.catalogue.get(entry.identifier, { includeNonPublic: true }).catch((e: unknown) => {
    if (e instanceof AppError && e.code === 'DATASET_NOT_FOUND') return undefined;
    throw e;
  });
  // get() also matches the URL name; only the same 資料集識別碼 is the same dataset.
  const existing = found?.identifier === entry.identifier ? found : undefined;
  const own = s.units.isOwnAgency(entry.publisherName);
  const ownUnit = !existing || existing.unit.kind === 'external' || ctx.explicitUnit ? ctx.defaultUnit.name : existing.unit.name;
  // Check the row before creating a unit for another agency, so a bad row writes nothing.
  const input = entryToInput(entry, own ? ownUnit : ctx.defaultUnit.name, existing);
  const checked = validateDataset(normalizeDatasetInput(input), { fromNationalList: true });
  const errors = problemsOf(checked.errors).map(at);
  if (errors.length > 0) return { created: false, errors, warnings };
  if (!own) input.unit = (await externalUnit(s, entry, ctx)).name;
  try {
    const saved = await s.catalogue.save(input, { state: 'published', fromNationalList: true, actor: ctx.actor });
    warnings.push(...problemsOf(saved.warnings).map(at));
    return { created: saved.created, errors: [], warnings };
  } catch (e) {
    if (e instanceof AppError && e.status < 500) {
      const problems = e.details ? problemsOf(e.details) : [{ column: null, message: msg(e.zh, e.en) }];
      return { created: false, errors: problems.map(at), warnings };
    }
    const refused = constraintViolation(e);
    if (refused) return { created: false, errors: [at({ column: null, message: msg(`資料庫拒絕這筆資料（${refused}）`, `the database refused this row (${refused})`) })], warnings };
    throw e;
  }
}

/**
 * The message of a unique/foreign-key violation (SQLite SQLITE_CONSTRAINT_*, PostgreSQL 23xxx):
 * that is this row's fault, and must not stop the rows after it. Other errors (connection
 * lost, disk full) do stop the import.
 */
function constraintViolation(e: unknown): string | undefined {
  if (!(e instanceof Error) || !('code' in e)) return undefined;
  const code = String(e.code);
  return code.startsWith('SQLITE_CONSTRAINT') || /^23\d{3}$/.test(code) ? e.message : undefined;
}

async function externalUnit(s: ImportServices, entry: ListEntry, ctx: RowContext): Promise<Unit> {
  const cached = ctx.externalUnits.get(entry.publisherName);
  if (cached) return cached;
  const unit = await s.units.ensureExternalUnit(entry.publisherName, entry.agencyCode);
  ctx.externalUnits.set(entry.publisherName, unit);
  return unit;
}

function problemsOf(details: Record<string, string[]>): RowProblem[] {
  return Object.entries(details).flatMap(([field, messages]) => {
    const column: ListColumn | null = columnOfField(field);
    return messages.map((message) => ({ column, message }));
  });
}
