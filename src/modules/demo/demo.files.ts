/**
 * Writes a demo table as the file a resource links to: CSV (UTF-8 with BOM, header = field
 * names, CRLF as RFC 4180 has it), JSON (an array of objects keyed by field name) or XML (one
 * <record> per row, child elements named by field). Files are small (at most a few thousand
 * rows), so they are made in memory and cached per plan.
 */
import { createHash } from 'node:crypto';
import { stringify } from 'csv-stringify/sync';
import { DEMO_NOTICE, type Cell, type DemoFormat, type Row } from './demo.catalogue.ts';
import type { DemoPlan, PlannedDataset } from './demo.plan.ts';
import { decimalsOf } from './demo.tables.ts';

export interface RenderedFile {
  body: Buffer;
  contentType: string;
  /** ASCII file name (cpi.csv) and the Chinese one offered to browsers. */
  fileName: string;
  displayName: string;
  etag: string;
  /** 最後更新時間 as an HTTP date. */
  lastModified: string;
}

export const CONTENT_TYPES: Record<DemoFormat, string> = {
  CSV: 'text/csv; charset=utf-8',
  JSON: 'application/json; charset=utf-8',
  XML: 'application/xml; charset=utf-8',
};

/** Cells as text: numbers keep their declared decimals (103.50, not 103.5). */
function textCells(d: PlannedDataset, row: Row): string[] {
  return d.def.fields.map((f) => {
    const v: Cell = row[f.name] ?? null;
    if (v === null) return '';
    if (typeof v === 'number') {
      const decimals = decimalsOf(f);
      return decimals === undefined ? String(v) : v.toFixed(decimals);
    }
    return v;
  });
}

function csvOf(d: PlannedDataset, rows: Row[]): string {
  const header = d.def.fields.map((f) => f.name);
  return `\uFEFF${stringify([header, ...rows.map((r) => textCells(d, r))], { record_delimiter: 'windows' })}`;
}

function jsonOf(d: PlannedDataset, rows: Row[]): string {
  const ordered = rows.map((r) => Object.fromEntries(d.def.fields.map((f) => [f.name, r[f.name] ?? null])));
  return `${JSON.stringify(ordered, null, 2)}\n`;
}

const XML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' };
function xmlEscape(s: string): string {
  // Characters XML 1.0 forbids are dropped rather than escaped (they cannot be).
  // eslint-disable-next-line no-control-regex
  return s.replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/g, '').replace(/[&<>"']/g, (c) => XML_ESCAPES[c] ?? c);
}

function xmlOf(d: PlannedDataset, rows: Row[]): string {
  const lines = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<!-- ${DEMO_NOTICE.replace(/--/g, '—')} -->`,
    `<dataset identifier="${xmlEscape(d.identifier)}" title="${xmlEscape(d.def.title)}" demo="true">`,
  ];
  for (const r of rows) {
    const cells = textCells(d, r);
    lines.push(`  <record>${d.def.fields.map((f, i) => (cells[i] === '' ? `<${f.name}/>` : `<${f.name}>${xmlEscape(cells[i])}</${f.name}>`)).join('')}</record>`);
  }
  lines.push('</dataset>', '');
  return lines.join('\n');
}

/** Taipei wall-clock "YYYY-MM-DD hh:mm:ss" → HTTP date. */
function httpDate(taipei: string): string {
  return new Date(`${taipei.replace(' ', 'T')}+08:00`).toUTCString();
}

const rendered = new WeakMap<DemoPlan, Map<string, RenderedFile>>();

/** The file for a name like `cpi.csv`, or undefined when the demo has no such file. */
export function renderDemoFile(plan: DemoPlan, fileName: string): RenderedFile | undefined {
  let cache = rendered.get(plan);
  if (!cache) rendered.set(plan, (cache = new Map<string, RenderedFile>()));
  const hit = cache.get(fileName);
  if (hit) return hit;
  const found = plan.file(fileName);
  if (!found) return undefined;
  const { dataset: d, file } = found;
  const rows = plan.rows(d);
  let text: string;
  switch (file.format) {
    case 'CSV':
      text = csvOf(d, rows);
      break;
    case 'JSON':
      text = jsonOf(d, rows);
      break;
    case 'XML':
      text = xmlOf(d, rows);
      break;
  }
  const body = Buffer.from(text, 'utf8');
  const out: RenderedFile = {
    body,
    contentType: CONTENT_TYPES[file.format],
    fileName: file.fileName,
    displayName: `${d.def.title}.${file.fileName.split('.').pop() ?? ''}`,
    etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"`,
    lastModified: httpDate(d.modified),
  };
  cache.set(fileName, out);
  return out;
}
