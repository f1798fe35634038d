import type { RawCell } from '../ingest/table.ts';

/**
 * Spreadsheet formula injection (CWE-1236): a text cell starting with = + - @ (or a tab or
 * carriage return before one) is run as a formula by Excel and LibreOffice when a CSV or sheet is
 * opened. Exports prefix such text with an apostrophe, which spreadsheets show as plain text.
 * Numbers are never touched (-5 stays a number); only text cells are.
 */
export function neutraliseFormula(cell: RawCell): RawCell {
  if (typeof cell !== 'string' || cell.length === 0) return cell;
  return /^[=+\-@\t\r]/.test(cell) ? `'${cell}` : cell;
}
