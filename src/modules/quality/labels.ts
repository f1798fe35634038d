import type { Lang } from '../../i18n.ts';
import { BADGE_LABELS, type Badge } from './badges.ts';
import type { IndicatorId, Verdict } from './indicators.ts';
import type { Trigger } from './quality.repository.ts';

/**
 * The words people read for the quality engine's ids, zh-TW and English, in one place: the
 * dataset page, the review screen, the reports and their CSV/ODS downloads all use these.
 */
export const INDICATOR_LABELS: Record<IndicatorId, { zh: string; en: string }> = {
  linkable: { zh: '連結有效', en: 'Link works' },
  downloadable: { zh: '可直接下載', en: 'Downloads directly' },
  structured: { zh: '結構化格式', en: 'Structured format' },
  encoding_match: { zh: '編碼與詮釋資料相符', en: 'Encoding matches the metadata' },
  desc_match: { zh: '欄位與主要欄位說明相符', en: 'Fields match the field description' },
  format_match: { zh: '檔案格式與詮釋資料相符', en: 'Format matches the metadata' },
  tabular_shape: { zh: '表格結構', en: 'Table shape' },
  data_standards: { zh: '符合資料標準', en: 'Data standards' },
  personal_data: { zh: '個人資料', en: 'Personal data' },
  timeliness: { zh: '依更新頻率更新', en: 'Updated on time' },
  metadata_complete: { zh: '詮釋資料完整', en: 'Metadata complete' },
  not_split: { zh: '未任意切割', en: 'Not arbitrarily split' },
  gender_statistics: { zh: '性別統計', en: 'Gender statistics' },
};

/** Verdicts in words (never colour alone). */
export const VERDICT_LABELS: Record<Verdict, { zh: string; en: string }> = {
  pass: { zh: '通過', en: 'Pass' },
  fail: { zh: '未通過', en: 'Fail' },
  warn: { zh: '請注意', en: 'Warning' },
  na: { zh: '不適用', en: 'Not applicable' },
};

/** Why a check ran. */
export const TRIGGER_LABELS: Record<Trigger, { zh: string; en: string }> = {
  submission: { zh: '送審', en: 'Submitted for review' },
  version: { zh: '新版本', en: 'New version' },
  links: { zh: '每週連結檢查', en: 'Weekly link check' },
  full: { zh: '半年度完整檢查', en: 'Half-yearly full check' },
  manual: { zh: '手動重新檢查', en: 'Checked again by hand' },
};

const pick = (l: { zh: string; en: string } | undefined, lang: Lang, fallback: string): string => (l ? (lang === 'en' ? l.en : l.zh) : fallback);

export const indicatorLabel = (id: string, lang: Lang): string => pick(INDICATOR_LABELS[id as IndicatorId], lang, id);
export const verdictLabel = (v: string, lang: Lang): string => pick(VERDICT_LABELS[v as Verdict], lang, v);
export const triggerLabel = (t: string, lang: Lang): string => pick(TRIGGER_LABELS[t as Trigger], lang, t);
/** 銅 / bronze; English capitalised for table cells. */
export const badgeLabel = (b: string, lang: Lang): string => {
  const l = BADGE_LABELS[b as Badge];
  if (!l) return b;
  return lang === 'en' ? l.en.charAt(0).toUpperCase() + l.en.slice(1) : l.zh;
};

/** A half-year id (2026H1) in words: 2026 上半年 / 2026 first half. */
export function periodLabel(period: string, lang: Lang): string {
  const m = /^(\d{4})H([12])$/.exec(period);
  if (!m) return period;
  if (lang === 'en') return `${m[1]} ${m[2] === '1' ? 'first' : 'second'} half (${period})`;
  return `${m[1]} 年${m[2] === '1' ? '上' : '下'}半年`;
}
