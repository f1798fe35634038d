import type { ReadIssue } from '../../ingest/table.ts';
import { indicator, type Evidence, type IndicatorResult } from '../indicators.ts';

/**
 * `tabular_shape` (issue 5, indicator 7): one header row, no blank or duplicate headers, one
 * column count, no blank rows, no title or notes rows inside the data, no merged-cell artefacts.
 * The readers already find all of these while reading (and read around them for the datastore);
 * here their findings become the verdict. The readers' issue texts are matched by kind below: a
 * reader that words a finding differently must be added here (the corpus test would show it).
 */
const KINDS: { kind: string; re: RegExp; result: 'fail' | 'warn'; zh: string; en: string }[] = [
  { kind: 'title_rows', re: /skipped the title row|is a title, not data|^the header is on row/, result: 'fail', zh: '表頭上方有標題列', en: 'title rows above the header' },
  { kind: 'note_rows', re: /skipped the note row|is a note, not data/, result: 'fail', zh: '資料下方有附註列', en: 'notes rows below the data' },
  { kind: 'multi_row_header', re: /^the header joins (lines|rows)/, result: 'fail', zh: '表頭跨多列', en: 'a header over several rows' },
  { kind: 'no_header', re: /holds only numbers and is read as data/, result: 'fail', zh: '沒有表頭', en: 'no header row' },
  { kind: 'blank_headers', re: /has no header; named/, result: 'fail', zh: '有欄位沒有標題', en: 'columns without a header' },
  { kind: 'duplicate_headers', re: /^header ".*" repeats; occurrence/, result: 'fail', zh: '欄位標題重複', en: 'repeated column headers' },
  { kind: 'ragged_rows', re: /fields, the header \d+|more rows have a different number of fields/, result: 'fail', zh: '列的欄位數與表頭不同', en: 'rows with another number of fields than the header' },
  { kind: 'blank_rows', re: /is blank \(skipped\)|blank rows skipped|more blank rows/, result: 'fail', zh: '資料中有空白列', en: 'blank rows inside the data' },
  { kind: 'repeated_header', re: /repeats the header; another table or page may start there/, result: 'fail', zh: '資料中重複出現表頭（多個表疊在一起）', en: 'the header repeated inside the data (tables stacked)' },
  { kind: 'merged_cells', re: /merged across columns|^merged cells|more merged ranges/, result: 'fail', zh: '合併儲存格', en: 'merged cells' },
  { kind: 'nested_values', re: /nested values are not tidy/, result: 'warn', zh: '欄位值有巢狀結構（物件或陣列）', en: 'nested values (objects or arrays) in fields' },
  { kind: 'other_sheets', re: /^only the first sheet|passed over: /, result: 'warn', zh: '活頁簿有多個工作表', en: 'more than one sheet in the workbook' },
];

export function tabularShape(input: { issues: readonly ReadIssue[]; columns: readonly string[] } | { refused: { zh: string; en: string; line?: number; sheet?: string } }): IndicatorResult {
  if ('refused' in input) {
    const r = input.refused;
    return indicator('tabular_shape', 'fail', `無法讀成資料表：${r.zh}`, `cannot be read as a table: ${r.en}`, [{ line: r.line, note: r.sheet ? `sheet ${r.sheet}` : undefined }]);
  }
  const found = new Map<string, { rule: (typeof KINDS)[number]; evidence: Evidence[]; count: number }>();
  for (const issue of input.issues) {
    const rule = KINDS.find((k) => k.re.test(issue.en));
    if (!rule) continue;
    const f = found.get(rule.kind) ?? { rule, evidence: [], count: 0 };
    f.count++;
    if (f.evidence.length < 5) f.evidence.push({ line: issue.line, column: issue.column, note: `${issue.sheet ? `[${issue.sheet}] ` : ''}${issue.zh} / ${issue.en}` });
    found.set(rule.kind, f);
  }
  const kinds = [...found.values()];
  const failing = kinds.filter((k) => k.rule.result === 'fail');
  const evidence = kinds.flatMap((k) => k.evidence);
  const data = { kinds: Object.fromEntries(kinds.map((k) => [k.rule.kind, k.count])), columns: input.columns.length };
  if (failing.length) {
    return indicator(
      'tabular_shape',
      'fail',
      `不是整齊的資料表：${failing.map((k) => k.rule.zh).join('、')}。請整理成一列表頭、每列一筆資料、沒有標題或附註列後再上傳`,
      `not a tidy table: ${failing.map((k) => k.rule.en).join(', ')}. Make it one header row and one record per row, without title or notes rows, and upload it again`,
      evidence,
      data,
    );
  }
  if (kinds.length) return indicator('tabular_shape', 'warn', kinds.map((k) => k.rule.zh).join('、'), kinds.map((k) => k.rule.en).join(', '), evidence, data);
  return indicator('tabular_shape', 'pass', `整齊的資料表：一列表頭、${input.columns.length} 個欄位`, `a tidy table: one header row, ${input.columns.length} columns`, [], data);
}
