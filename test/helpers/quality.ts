import { readHead } from '../../src/modules/ingest/file-head.ts';
import path from 'node:path';
import { isTabular, openTableFile } from '../../src/modules/ingest/registry.ts';
import { sniffFormat, SNIFF_BYTES } from '../../src/modules/quality/checks/format.ts';
import type { RawTable } from '../../src/modules/ingest/table.ts';
import { formatOf, runTableChecks } from '../../src/modules/quality/engine.ts';
import type { IndicatorResult, TableCheck } from '../../src/modules/quality/indicators.ts';

/**
 * A corpus file as the quality engine opens it: its format sniffed from its bytes, then the reader
 * registry — or undefined when the engine would not read it as a table (a printed report, an
 * empty file, a JSON-LD catalogue, a PDF…).
 */
export async function readTableOf(file: string): Promise<RawTable | undefined> {
  const { bytes } = await readHead(file, SNIFF_BYTES);
  const format = formatOf(sniffFormat(bytes, path.basename(file)).format, path.basename(file));
  if (!isTabular(format)) return undefined;
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
