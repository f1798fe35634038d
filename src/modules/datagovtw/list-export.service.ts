import { Readable, type Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { stringify } from 'csv-stringify';
import type { Services } from '../../services.ts';
import { datasetToListRow, LIST_COLUMNS } from './list-format.ts';

export interface ExportOptions {
  /** Demo datasets (示範資料) are not the agency's data and are left out unless asked for. */
  includeDemo?: boolean;
  onProgress?: (done: number, total: number) => void;
}

export interface ExportReport {
  written: number;
  skippedDemo: number;
}

/**
 * Writes every published dataset as the national 22-column list (UTF-8 with BOM, CRLF, cells
 * quoted when they hold a comma, quote or line break), streaming a batch at a time.
 * `out` is not ended, so it may be stdout.
 */
export async function exportDatagovtwList(s: Pick<Services, 'catalogue'>, out: Writable, opts: ExportOptions = {}): Promise<ExportReport> {
  const report: ExportReport = { written: 0, skippedDemo: 0 };
  const total = opts.onProgress ? await s.catalogue.countPublished() : 0;
  async function* rows(): AsyncGenerator<string[]> {
    yield [...LIST_COLUMNS];
    for await (const batch of s.catalogue.published()) {
      for (const d of batch) {
        if (d.isDemo && !opts.includeDemo) {
          report.skippedDemo++;
          continue;
        }
        report.written++;
        yield datasetToListRow(d);
      }
      opts.onProgress?.(report.written + report.skippedDemo, total);
    }
  }
  await pipeline(Readable.from(rows()), stringify({ bom: true, record_delimiter: 'windows' }), out, { end: false });
  return report;
}
