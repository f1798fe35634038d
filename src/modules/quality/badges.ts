import { readFileSync } from 'node:fs';
import { INDICATOR_IDS, type IndicatorId, type IndicatorResult } from './indicators.ts';

/** The national quality badges (品質標章), lowest first. */
export const BADGES = ['none', 'bronze', 'silver', 'gold', 'platinum'] as const;
export type Badge = (typeof BADGES)[number];
export const BADGE_LABELS: Record<Badge, { zh: string; en: string }> = {
  none: { zh: '無', en: 'none' },
  bronze: { zh: '銅', en: 'bronze' },
  silver: { zh: '銀', en: 'silver' },
  gold: { zh: '金', en: 'gold' },
  platinum: { zh: '白金', en: 'platinum' },
};

/** Which indicators each badge needs (each badge also needs everything below it). */
export type BadgeRules = Record<Exclude<Badge, 'none'>, IndicatorId[]>;

/**
 * The usual reading of the national rules (datagovtw.md §4; the exact text is not public):
 * 銅 = link valid and directly downloadable; 銀 = plus a structured format; 金 = plus the encoding
 * and the field description matching the metadata; 白金 = plus fields following the national data
 * standards. Configuration may replace it (KAIFANG_BADGE_RULES_FILE).
 */
export const DEFAULT_BADGE_RULES: BadgeRules = {
  bronze: ['linkable', 'downloadable'],
  silver: ['structured'],
  gold: ['encoding_match', 'desc_match'],
  platinum: ['data_standards'],
};

/** Reads a rules file (JSON `{ "bronze": [...], "silver": [...], "gold": [...], "platinum": [...] }`), refusing unknown ids. */
export function loadBadgeRules(file: string | undefined): BadgeRules {
  if (!file) return DEFAULT_BADGE_RULES;
  const raw = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
  const rules = { ...DEFAULT_BADGE_RULES };
  for (const b of ['bronze', 'silver', 'gold', 'platinum'] as const) {
    const ids = raw[b];
    if (ids === undefined) continue;
    if (!Array.isArray(ids) || ids.some((i) => !(INDICATOR_IDS as readonly unknown[]).includes(i))) {
      throw new Error(`${file}: "${b}" must be a list of indicator ids (${INDICATOR_IDS.join(', ')})`);
    }
    rules[b] = ids as IndicatorId[];
  }
  return rules;
}

/**
 * Whether an indicator counts towards a badge: pass or warn count; na counts when the indicator
 * does not apply (an XLSX has no text encoding) but not when the metadata did not declare what it
 * compares with (no 編碼格式, no 主要欄位說明); fail, or a missing result, does not.
 */
export function earned(r: IndicatorResult | undefined): boolean {
  if (!r) return false;
  if (r.result === 'pass' || r.result === 'warn') return true;
  return r.result === 'na' && r.data?.notDeclared !== true;
}

export interface BadgePrediction {
  badge: Badge;
  /** The next badge up and the indicators it still needs (none at 白金). */
  next?: { badge: Badge; missing: IndicatorId[] };
}

/** The badge a resource's results earn under the rules, and what the next one needs. */
export function predictBadge(results: readonly IndicatorResult[], rules: BadgeRules = DEFAULT_BADGE_RULES): BadgePrediction {
  const byId = new Map(results.map((r) => [r.id, r]));
  let badge: Badge = 'none';
  for (const b of ['bronze', 'silver', 'gold', 'platinum'] as const) {
    const missing = rules[b].filter((id) => !earned(byId.get(id)));
    if (missing.length) return { badge, next: { badge: b, missing } };
    badge = b;
  }
  return { badge };
}

/** A dataset's badge: the lowest of its resources' (a dataset is as good as its weakest file); none without resources. */
export function datasetBadge(resourceBadges: readonly Badge[]): Badge {
  if (resourceBadges.length === 0) return 'none';
  return resourceBadges.reduce((low, b) => (BADGES.indexOf(b) < BADGES.indexOf(low) ? b : low), 'platinum' as Badge);
}

export const badgeAtLeast = (b: Badge, min: Badge): boolean => BADGES.indexOf(b) >= BADGES.indexOf(min);
