import { rm, stat } from 'node:fs/promises';
import os from 'node:os';
import type { Config } from '../../config.ts';
import { AppError } from '../../errors.ts';
import { parseFieldDescription } from '../catalogue/national.ts';
import { BADGE_LABELS, loadBadgeRules } from './badges.ts';
import { checkLink } from './checks/link.ts';
import { checkFile, linkCheckOptions, reportWithoutFile, type QualityReport } from './engine.ts';
import type { Verdict } from './indicators.ts';

export interface CheckOptions {
  format?: string;
  encoding?: string;
  fields?: string;
  header?: string;
}

/**
 * `kaifang check <file-or-url>` (issue 5): the quality engine on one file or URL, with the
 * declarations given as options (any left out makes its indicator `na`). Exit code: 0 when no
 * indicator fails, 1 when one does, 2 when the check could not be made (no such file).
 */
export async function checkTarget(target: string, opts: CheckOptions, config: Config, onProgress?: (rows: number) => void): Promise<QualityReport> {
  const declared = { format: opts.format ?? null, encoding: opts.encoding ?? null, fields: opts.fields ? parseFieldDescription(opts.fields) : null, header: opts.header ?? null };
  const rules = loadBadgeRules(config.quality.badgeRulesFile);
  const progress = onProgress ? ({ rows }: { rows: number }) => onProgress(rows) : undefined;
  if (/^https?:\/\//i.test(target)) {
    const link = await checkLink(target, { ...linkCheckOptions(config), tmpDir: os.tmpdir() });
    const file = link.download?.path;
    // Nothing came back to check: the link verdicts, the rest not checked.
    if (!file) return reportWithoutFile([link.linkable, link.downloadable], undefined, rules);
    try {
      return await checkFile({ path: file, fileName: link.download?.fileName, contentType: link.download?.contentType, declared, link: { linkable: link.linkable, downloadable: link.downloadable }, rules, onProgress: progress });
    } finally {
      await rm(file, { force: true });
    }
  }
  const st = await stat(target).catch(() => undefined);
  if (!st?.isFile()) throw new AppError('FILE_NOT_FOUND', 404, `找不到檔案：${target}`, `no such file: ${target}`);
  return checkFile({ path: target, fileName: target.split(/[/\\]/).pop(), declared, rules, onProgress: progress });
}

/** The report as `--json` prints it: each indicator also carries `message` ("zh / en", as the API's errors do). */
export const reportJson = (r: QualityReport): string => JSON.stringify({ ...r, indicators: r.indicators.map((i) => ({ ...i, message: `${i.zh} / ${i.en}` })) });

export const exitCodeOf = (r: QualityReport): number => (r.indicators.some((i) => i.result === 'fail') ? 1 : 0);

const MARK: Record<Verdict, string> = { pass: '通過 pass', fail: '未通過 FAIL', warn: '注意 warn', na: '不適用 n/a' };

/** The report as a person reads it in a terminal: one line per indicator, the evidence of what failed or warns, the badge. */
export function renderReport(r: QualityReport): string {
  const lines: string[] = [];
  if (r.file) {
    const f = r.file;
    lines.push(`檔案 File: ${f.name ?? ''}  ${f.format}${f.encoding ? ` ${f.encoding}` : ''}  ${f.size.toLocaleString('en')} bytes${f.rows !== undefined ? `  ${f.rows.toLocaleString('en')} 筆 rows` : ''}${f.columns ? `  ${f.columns.length} 欄 columns` : ''}`);
    lines.push(`sha256: ${f.sha256}`);
    lines.push('');
  }
  const width = Math.max(...r.indicators.map((i) => i.id.length));
  for (const i of r.indicators) {
    lines.push(`${i.id.padEnd(width)}  ${MARK[i.result].padEnd(12)}  ${i.zh}`);
    lines.push(`${' '.repeat(width)}  ${' '.repeat(12)}  ${i.en}`);
    if (i.result === 'fail' || i.result === 'warn') {
      for (const e of i.evidence.slice(0, 5)) {
        const where = [e.row !== undefined ? `row ${e.row}` : '', e.line !== undefined ? `line ${e.line}` : '', e.column ? `column ${e.column}` : ''].filter(Boolean).join(', ');
        const what = [e.sample !== undefined ? `"${e.sample}"` : '', e.count !== undefined ? `×${e.count}` : '', e.note ?? ''].filter(Boolean).join(' ');
        lines.push(`${' '.repeat(width)}  ${' '.repeat(12)}  - ${where}${where && what ? ': ' : ''}${what}`);
      }
    }
  }
  lines.push('');
  lines.push(`預估品質標章 Predicted badge: ${BADGE_LABELS[r.badge].zh} ${BADGE_LABELS[r.badge].en}`);
  if (r.next) lines.push(`下一級（${BADGE_LABELS[r.next.badge].zh} ${BADGE_LABELS[r.next.badge].en}）還需要 / the next badge needs: ${r.next.missing.join(', ')}`);
  return lines.join('\n');
}
