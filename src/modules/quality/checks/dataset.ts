import type { DatasetInput } from '../../catalogue/catalogue.schemas.ts';
import { normalizeDatasetInput, validateDataset } from '../../catalogue/catalogue.validation.ts';
import { parseFrequency, type Frequency } from '../../catalogue/national.ts';
import { dayMs as dayOf, daysBetween, isoDay as iso } from '../../../time.ts';
import { indicator, type Evidence, type IndicatorResult } from '../indicators.ts';

/**
 * The dataset-level checks of issue 5: timeliness (indicator 10), complete metadata (11) and
 * tables cut into pieces (12). They read metadata only, so they also run on datasets whose files
 * are elsewhere.
 */

const DAY = 86_400_000;

/** The date a dataset updated on `last` (YYYY-MM-DD…) is next due, by its 更新頻率; months clamp to the month's end (01-31 + 1 month → 02-28/29). */
export function nextDue(last: string, f: Extract<Frequency, { kind: 'interval' }>): string {
  const t = dayOf(last);
  switch (f.unit) {
    case 'minute':
    case 'hour':
      // Updated more often than daily: due the next day at the latest (we count in days).
      return iso(t + DAY);
    case 'day':
      return iso(t + f.every * DAY);
    case 'week':
      return iso(t + f.every * 7 * DAY);
    case 'month':
    case 'quarter':
    case 'year': {
      const months = f.every * (f.unit === 'year' ? 12 : f.unit === 'quarter' ? 3 : 1);
      const y = Number(last.slice(0, 4));
      const m = Number(last.slice(5, 7)) - 1 + months;
      const d = Number(last.slice(8, 10));
      const lastDay = new Date(Date.UTC(y, m + 1, 0)).getUTCDate();
      return iso(Date.UTC(y, m, Math.min(d, lastDay)));
    }
  }
}

/**
 * A dataset's last update for `timeliness` and the follow-up: the newest of its own and its
 * resources' 最後更新時間, else the day it was last saved.
 */
export function lastUpdateOf(modified: readonly (string | null | undefined)[], savedAt: string): string {
  return modified.filter((m): m is string => !!m).sort().at(-1) ?? savedAt.slice(0, 10);
}

/**
 * `timeliness`: the last update against the 更新頻率 — on time while `asOf` is at most `graceDays`
 * (default 1) past the next due date; irregular (不定期) → na; a 更新頻率 in no national form → fail
 * (it cannot be followed up).
 */
export function timeliness(input: { frequency: string | null | undefined; lastUpdate: string | null | undefined; asOf: string; graceDays?: number }): IndicatorResult {
  const grace = input.graceDays ?? 1;
  const text = (input.frequency ?? '').trim();
  if (!text) return indicator('timeliness', 'na', '未填更新頻率', 'no update frequency (更新頻率) declared', [], { notDeclared: true });
  const f = parseFrequency(text);
  if (!f) {
    return indicator('timeliness', 'fail', `更新頻率「${text}」不是國家規範的寫法（如 每1月、每1年、不定期），無法追蹤是否按時更新`, `the update frequency "${text}" follows no national form (e.g. 每1月, 每1年, 不定期), so timeliness cannot be followed`, [{ sample: text }]);
  }
  if (f.kind === 'irregular') return indicator('timeliness', 'na', '更新頻率為不定期，不檢查是否逾期', 'updated irregularly (不定期): not checked for lateness', [], { notApplicable: true });
  const last = input.lastUpdate?.slice(0, 10);
  if (!last || !/^\d{4}-\d{2}-\d{2}$/.test(last)) {
    return indicator('timeliness', 'fail', '沒有最後更新時間，無法判斷是否按時更新', 'no last update date: timeliness cannot be judged', []);
  }
  const due = f.kind === 'realtime' ? iso(dayOf(last) + DAY) : nextDue(last, f);
  const late = daysBetween(due, input.asOf);
  const evidence: Evidence[] = [{ note: `最後更新 ${last}，更新頻率 ${text}，應於 ${due} 前更新 / last updated ${last}, frequency ${text}, due by ${due}` }];
  const data = { lastUpdate: last, due, daysLate: Math.max(0, late), frequency: text };
  if (late <= grace) {
    return indicator('timeliness', 'pass', `按時更新：下次應於 ${due} 前更新`, `on time: next update due by ${due}`, evidence, data);
  }
  return indicator('timeliness', 'fail', `已逾期 ${late} 天：依更新頻率「${text}」應於 ${due} 前更新（最後更新 ${last}）`, `${late} days late: by its frequency "${text}" it was due by ${due} (last updated ${last})`, evidence, data);
}

/** `metadata_complete`: every required national field present and valid (the catalogue's own rules), warnings as warn. */
export function metadataComplete(input: DatasetInput): IndicatorResult {
  let result;
  try {
    result = validateDataset(normalizeDatasetInput(input));
  } catch (err) {
    const m = err instanceof Error ? err.message : String(err);
    return indicator('metadata_complete', 'fail', `詮釋資料無法判讀：${m}`, `the metadata cannot be read: ${m}`);
  }
  const list = (r: Record<string, string[]>): Evidence[] => Object.entries(r).flatMap(([field, msgs]) => msgs.map((note) => ({ column: field, note })));
  const errors = list(result.errors);
  const warnings = list(result.warnings);
  if (errors.length) {
    return indicator('metadata_complete', 'fail', `詮釋資料有 ${errors.length} 處不符國家規範（見各欄位）`, `${errors.length} metadata fields are missing or invalid under the national rules (see each field)`, [...errors, ...warnings], { errors: errors.length, warnings: warnings.length });
  }
  if (warnings.length) {
    return indicator('metadata_complete', 'warn', `必填欄位齊全；另有 ${warnings.length} 項建議修正`, `every required field is present; ${warnings.length} suggestions`, warnings, { errors: 0, warnings: warnings.length });
  }
  return indicator('metadata_complete', 'pass', '詮釋資料必填欄位齊全且有效', 'every required metadata field is present and valid', [], { errors: 0, warnings: 0 });
}

/** What varies between the names of pieces of one table: a year, a month, a quarter, or a place. */
const PIECE_PATTERNS: { kind: string; zh: string; en: string; re: RegExp }[] = [
  { kind: 'month', zh: '年月', en: 'month', re: /((?:民國)?\d{2,4})\s*年\s*(\d{1,2})\s*月|(\d{4})[-/.]?(0[1-9]|1[0-2])(?!\d)|\d{4}M(0[1-9]|1[0-2])/ },
  { kind: 'quarter', zh: '季', en: 'quarter', re: /(\d{2,4})\s*年\s*第?\s*[一二三四1-4]\s*季|\d{4}Q[1-4]/ },
  { kind: 'year', zh: '年度', en: 'year', re: /(?:民國)?\s*(\d{2,3})\s*年度?|(?<!\d)(19|20)\d{2}(?!\d)/ },
  { kind: 'region', zh: '地區', en: 'region', re: /(臺|台)北市|新北市|桃園市|(臺|台)中市|(臺|台)南市|高雄市|基隆市|新竹[市縣]|苗栗縣|彰化縣|南投縣|雲林縣|嘉義[市縣]|屏東縣|宜蘭縣|花蓮縣|(臺|台)東縣|澎湖縣|金門縣|連江縣|北部|中部|南部|東部/ },
];

/**
 * `not_split`: resources of one dataset that are the same table cut by year, month or region (the
 * same columns, names that differ only in a period or a place) are flagged with the suggested
 * merged table: the shared columns plus one column for what the pieces differ in.
 */
export function notSplit(resources: readonly { name: string; columns: readonly string[] | null }[]): IndicatorResult {
  const tables = resources.filter((r) => r.columns && r.columns.length > 0) as { name: string; columns: readonly string[] }[];
  if (tables.length < 2) return indicator('not_split', 'na', '只有一個資料表，不適用', 'fewer than two tables: not applicable', [], { notApplicable: true });
  const groups = new Map<string, { name: string; columns: readonly string[] }[]>();
  for (const t of tables) {
    const key = t.columns.map((c) => c.trim()).join('\u0000');
    groups.set(key, [...(groups.get(key) ?? []), t]);
  }
  const findings: Evidence[] = [];
  const suggestions: { pieces: string[]; by: string; columns: string[] }[] = [];
  for (const group of groups.values()) {
    if (group.length < 2) continue;
    for (const p of PIECE_PATTERNS) {
      const stripped = group.map((t) => t.name.replace(p.re, '□'));
      const allHave = group.every((t) => p.re.test(t.name));
      if (allHave && new Set(stripped).size === 1 && new Set(group.map((t) => t.name)).size === group.length) {
        const columns = [p.zh, ...group[0].columns];
        suggestions.push({ pieces: group.map((t) => t.name), by: p.kind, columns });
        findings.push({
          count: group.length,
          sample: group.map((t) => t.name).join('、'),
          note: `建議合併為一個表，加一欄「${p.zh}」：${columns.join('、')} / suggested: one table with a "${p.en}" column: ${columns.join(', ')}`,
        });
        break;
      }
    }
  }
  if (findings.length) {
    return indicator('not_split', 'fail', `有 ${findings.length} 組資料資源是同一個表依${suggestions.map((s) => PIECE_PATTERNS.find((p) => p.kind === s.by)?.zh).join('、')}切開的：請合併成一個表（多一欄標示期間或地區），以新版本上傳`, `${findings.length} group(s) of resources are one table cut by ${suggestions.map((s) => s.by).join(', ')}: merge each into one table with a column for the period or place, and upload it as a new version`, findings, { suggestions });
  }
  return indicator('not_split', 'pass', '沒有被切開的資料表', 'no table is cut into pieces', []);
}
