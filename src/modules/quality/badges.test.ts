import { describe, expect, it } from 'vitest';
import { datasetBadge, predictBadge } from './badges.ts';
import { indicator, type IndicatorId, type Verdict } from './indicators.ts';

const results = (r: Partial<Record<IndicatorId, Verdict | 'undeclared'>>) =>
  Object.entries(r).map(([id, v]) => (v === 'undeclared' ? indicator(id as IndicatorId, 'na', '', '', [], { notDeclared: true }) : indicator(id as IndicatorId, v, '', '')));

describe('badges', () => {
  it('the default ladder: 銅 link + download, 銀 structured, 金 encoding + fields, 白金 standards; the next badge names what is missing', () => {
    expect(predictBadge(results({ linkable: 'fail' }))).toEqual({ badge: 'none', next: { badge: 'bronze', missing: ['linkable', 'downloadable'] } });
    expect(predictBadge(results({ linkable: 'pass', downloadable: 'pass', structured: 'fail' }))).toEqual({ badge: 'bronze', next: { badge: 'silver', missing: ['structured'] } });
    expect(predictBadge(results({ linkable: 'pass', downloadable: 'pass', structured: 'pass', encoding_match: 'undeclared', desc_match: 'pass' })).next).toEqual({ badge: 'gold', missing: ['encoding_match'] });
    // An XLSX has no text encoding: na counts.
    expect(predictBadge(results({ linkable: 'pass', downloadable: 'pass', structured: 'warn', encoding_match: 'na', desc_match: 'pass', data_standards: 'fail' }))).toEqual({ badge: 'gold', next: { badge: 'platinum', missing: ['data_standards'] } });
    expect(predictBadge(results({ linkable: 'pass', downloadable: 'pass', structured: 'pass', encoding_match: 'pass', desc_match: 'pass', data_standards: 'pass' }))).toEqual({ badge: 'platinum' });
  });
  it('rules from configuration; a dataset is as good as its weakest resource', () => {
    expect(predictBadge(results({ linkable: 'pass' }), { bronze: ['linkable'], silver: ['structured'], gold: [], platinum: [] }).badge).toBe('bronze');
    expect(datasetBadge(['gold', 'bronze', 'platinum'])).toBe('bronze');
    expect(datasetBadge([])).toBe('none');
  });
});
