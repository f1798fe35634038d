import type { FieldDef } from '../../catalogue/national.ts';
import { cleanHeader } from '../../ingest/dialect.ts';
import { declarationFits, parseDeclaredEncoding, type EncodingGuess } from '../../ingest/encoding.ts';
import { indicator, type Evidence, type IndicatorResult } from '../indicators.ts';

/**
 * The checks of a file against what its metadata declares (issue 5, indicators 4 and 5): the
 * 編碼格式 against the detected encoding, and the 主要欄位說明 (or data dictionary) against the
 * file's header. Nothing declared → `na` with `data.notDeclared`, which the badge rules treat as
 * not yet earned (a declaration is what the national check compares with).
 */

/** `encoding_match`: the declared 編碼格式 equals the bytes' encoding; `text` false (a workbook, a PDF) → na. */
export function encodingMatch(declared: string | null | undefined, detected: EncodingGuess | undefined, opts: { text: boolean }): IndicatorResult {
  if (!opts.text || !detected) {
    return indicator('encoding_match', 'na', '不是文字檔，沒有編碼可比對', 'not a text file: there is no encoding to compare', [], { notApplicable: true });
  }
  const found = `${detected.encoding}${detected.bom ? ' (BOM)' : ''}`;
  const evidence: Evidence[] = [{ sample: found, note: detected.evidence }];
  if (!declared?.trim()) {
    return indicator('encoding_match', 'na', `未宣告編碼格式；檔案實際為 ${found}`, `no encoding declared; the file is ${found}`, evidence, { notDeclared: true, detected: detected.encoding });
  }
  const d = parseDeclaredEncoding(declared);
  if (!d) {
    return indicator('encoding_match', 'fail', `宣告的編碼格式「${declared}」不是可辨識的編碼；檔案實際為 ${found}，請改為「${detected.encoding}」`, `the declared encoding "${declared}" is not one we know; the file is ${found}: declare "${detected.encoding}"`, evidence, { detected: detected.encoding, declared });
  }
  // "UTF-16" / "Unicode" names either byte order.
  const anyUtf16 = /^(UTF-?16|UNICODE)$/i.test(declared.trim()) && detected.encoding.startsWith('UTF-16');
  if (anyUtf16 || declarationFits(d, detected)) {
    return indicator('encoding_match', 'pass', `宣告的編碼格式 ${declared} 與檔案相符（${found}）`, `the declared encoding ${declared} matches the file (${found})`, evidence, { detected: detected.encoding, declared });
  }
  return indicator(
    'encoding_match',
    'fail',
    `宣告的編碼格式為 ${declared}，但檔案實際為 ${found}（${detected.evidence}）：請把編碼格式改為「${detected.encoding}」，或將檔案轉存為 ${declared}`,
    `the declared encoding is ${declared}, but the file is ${found} (${detected.evidence}): declare "${detected.encoding}", or save the file as ${declared}`,
    evidence,
    { detected: detected.encoding, declared },
  );
}

/** Names compared as people mean them: spaced-out CJK closed up, full-width folded, Latin case ignored. */
const norm = (s: string): string => cleanHeader(s.normalize('NFKC')).toLowerCase();

/**
 * `desc_match`: the file's fields equal the declared ones, by name (or by the declared title,
 * since a header may carry either). Reported separately: missing (declared, not in the file),
 * extra (in the file, not declared), renamed (a missing and an extra one at the same position),
 * reordered (all there, another order).
 */
export function descMatch(declared: readonly FieldDef[] | undefined, columns: readonly string[]): IndicatorResult {
  if (!declared || declared.length === 0) {
    return indicator('desc_match', 'na', '未填主要欄位說明，無法比對檔案欄位', 'no 主要欄位說明 (field description) declared: the file’s fields cannot be compared', [], { notDeclared: true, columns: [...columns] });
  }
  const keys = declared.map((f) => new Set([norm(f.name), ...(f.title ? [norm(f.title)] : [])]));
  const file = columns.map(norm);
  // Which declared field each file column is (first unused match).
  const used = new Set<number>();
  const match = file.map((c) => {
    const k = keys.findIndex((ks, i) => !used.has(i) && ks.has(c));
    if (k >= 0) used.add(k);
    return k;
  });
  const missingIdx = declared.map((_, i) => i).filter((i) => !used.has(i));
  const extraIdx = columns.map((_, i) => i).filter((i) => match[i] < 0);
  const renamed: { position: number; declared: string; found: string }[] = [];
  for (const i of [...missingIdx]) {
    const at = extraIdx.indexOf(i);
    if (at >= 0) {
      renamed.push({ position: i + 1, declared: declared[i].name, found: columns[i] });
      missingIdx.splice(missingIdx.indexOf(i), 1);
      extraIdx.splice(at, 1);
    }
  }
  const missing = missingIdx.map((i) => declared[i].name);
  const extra = extraIdx.map((i) => columns[i]);
  const order = match.filter((k) => k >= 0);
  const reordered = order.some((k, i) => i > 0 && k < order[i - 1]);
  const evidence: Evidence[] = [
    ...missing.map((n) => ({ column: n, note: '說明有、檔案沒有 / declared, not in the file' })),
    ...extra.map((n) => ({ column: n, note: '檔案有、說明沒有 / in the file, not declared' })),
    ...renamed.map((r) => ({ column: r.found, sample: r.declared, note: `第 ${r.position} 欄名稱不同（說明寫「${r.declared}」）/ column ${r.position} is named differently (declared "${r.declared}")` })),
  ];
  const data = { missing, extra, renamed, reordered, columns: [...columns] };
  if (missing.length === 0 && extra.length === 0 && renamed.length === 0) {
    if (reordered) {
      return indicator('desc_match', 'warn', '欄位都相符，但順序與主要欄位說明不同', 'every field matches, but in another order than the field description', [{ note: `檔案順序 / file order: ${columns.join('、')}` }], data);
    }
    return indicator('desc_match', 'pass', `檔案的 ${columns.length} 個欄位與主要欄位說明相符`, `the file's ${columns.length} fields match the field description`, [], data);
  }
  const parts = { zh: [] as string[], en: [] as string[] };
  if (missing.length) {
    parts.zh.push(`缺少 ${missing.join('、')}`);
    parts.en.push(`missing ${missing.join(', ')}`);
  }
  if (extra.length) {
    parts.zh.push(`多出 ${extra.join('、')}`);
    parts.en.push(`not declared ${extra.join(', ')}`);
  }
  if (renamed.length) {
    parts.zh.push(`名稱不同 ${renamed.map((r) => `${r.declared}→${r.found}`).join('、')}`);
    parts.en.push(`renamed ${renamed.map((r) => `${r.declared}→${r.found}`).join(', ')}`);
  }
  if (reordered) {
    parts.zh.push('順序不同');
    parts.en.push('in another order');
  }
  return indicator(
    'desc_match',
    'fail',
    `檔案欄位與主要欄位說明不符：${parts.zh.join('；')}。請更新主要欄位說明（或資料字典），或修正檔案表頭`,
    `the file's fields do not match the field description: ${parts.en.join('; ')}. Update the field description (or the data dictionary), or fix the file's header`,
    evidence,
    data,
  );
}
