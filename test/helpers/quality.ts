import path from 'node:path';
import { openTableFile } from '../../src/modules/ingest/registry.ts';
import type { RawTable } from '../../src/modules/ingest/table.ts';
import { runTableChecks } from '../../src/modules/quality/engine.ts';
import type { IndicatorResult, TableCheck } from '../../src/modules/quality/indicators.ts';

const FORMAT_BY_EXT: Record<string, string> = { '.csv': 'CSV', '.tsv': 'CSV', '.psv': 'CSV', '.ssv': 'CSV', '.txt': 'CSV', '.px': 'PX', '.xls': 'XLS', '.xlsx': 'XLSX', '.ods': 'ODS', '.json': 'JSON', '.xml': 'XML' };

/** A corpus file as the readers open it (the one registry), or undefined when it is not a table (a printed report, an empty file…). */
export async function readTableOf(file: string): Promise<RawTable | undefined> {
  const format = FORMAT_BY_EXT[path.extname(file).toLowerCase()];
  if (!format) return undefined;
  try {
    return await openTableFile(file, format);
  } catch {
    return undefined;
  }
}

/** One content check over a whole table, as the engine runs it. */
export async function runCheck(check: TableCheck, table: RawTable): Promise<IndicatorResult> {
  await runTableChecks([check], table);
  return check.end();
}
