import { describe, expect, it } from 'vitest';
import { ckanTimestamp, fromCkanPackage, tagId, toCkanErrorFields } from './ckan.mapper.ts';
import { parseSort } from './ckan.fq.ts';

describe('CKAN mapper', () => {
  it('writes timestamps as CKAN does: UTC, no zone, microseconds', () => {
    expect(ckanTimestamp('2026-11-05T10:12:00.123Z')).toBe('2026-11-05T10:12:00.123000');
    expect(ckanTimestamp('2026-11-05T10:12:00Z')).toBe('2026-11-05T10:12:00.000000');
    expect(ckanTimestamp('2026-11-05T18:12:00.5+08:00')).toBe('2026-11-05T10:12:00.500000');
    // National 最後更新時間 values have no zone and stay as written, with CKAN's T.
    expect(ckanTimestamp('2026-11-05 10:12:00')).toBe('2026-11-05T10:12:00');
    expect(ckanTimestamp('2026-11-05 10:12')).toBe('2026-11-05T10:12:00');
    expect(ckanTimestamp('not a date')).toBe('not a date');
  });

  it('gives a tag the same UUID-shaped id every time', () => {
    expect(tagId('物價')).toBe(tagId('物價'));
    expect(tagId('物價')).not.toBe(tagId('預算'));
    expect(tagId('物價')).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });

  it('reads CKAN sort strings loosely (case, spacing, implied asc) and echoes them', () => {
    expect(parseSort(undefined)).toEqual({ sort: 'relevance', label: 'score desc, metadata_modified desc' });
    expect(parseSort('Score DESC,metadata_modified   desc')).toEqual({ sort: 'relevance', label: 'Score DESC,metadata_modified   desc' });
    expect(parseSort('name')).toMatchObject({ sort: 'name_asc' });
    expect(() => parseSort('name desc')).toThrow(/name desc/);
  });
});

describe('CKAN package dict → DatasetInput', () => {
  it('maps CKAN names and national fields from the top level or extras, the top level winning', () => {
    const { input, errors } = fromCkanPackage(
      {
        name: 'cpi',
        title: '消費者物價指數',
        notes: '每月物價。',
        owner_org: 'statistics',
        tags: [{ name: '物價' }, '指數'],
        url: 'https://www.dgbas.gov.tw/cpi',
        license_id: 'OGDL-Taiwan-1.0',
        update_frequency: '每1月',
        extras: [
          { key: 'update_frequency', value: '每1年' },
          { key: 'category_code', value: '800' },
          { key: 'fields', value: '[{"name":"年月"}]' },
          { key: 'number_of_data', value: '12' },
        ],
        resources: [{ url: 'https://example.gov.tw/cpi.csv', format: 'CSV', name: 'CPI CSV' }],
      },
      null,
    );
    expect(errors).toEqual({});
    expect(input).toMatchObject({
      name: 'cpi',
      unit: 'statistics',
      description: '每月物價。',
      keywords: ['物價', '指數'],
      landingPage: 'https://www.dgbas.gov.tw/cpi',
      updateFrequency: '每1月',
      categoryCode: '800',
      fields: [{ name: '年月' }],
      numberOfData: 12,
      resources: [{ downloadUrl: 'https://example.gov.tw/cpi.csv', format: 'CSV', encoding: 'UTF-8', description: 'CPI CSV', name: 'CPI CSV' }],
    });
  });

  it('patches onto a base: what the dict does not name stays', () => {
    const base = { unit: 'statistics', categoryCode: '800', title: '舊', description: '描述', updateFrequency: '每1月', keywords: ['a'] };
    expect(fromCkanPackage({ title: '新' }, base).input).toEqual({ ...base, title: '新', resources: undefined });
  });

  it('reports values of the wrong shape under the CKAN field, and renames catalogue errors to CKAN fields', () => {
    expect(fromCkanPackage({ title: { a: 1 }, tags: 'x', provision_type: 'maybe' }, null).errors).toMatchObject({ title: [expect.any(String)], tags: [expect.any(String)], provision_type: [expect.any(String)] });
    expect(toCkanErrorFields({ description: ['m1'], unit: ['m2'], 'resources[1].downloadUrl': ['m3'], categoryCode: ['m4'] })).toEqual({
      notes: ['m1'],
      owner_org: ['m2'],
      resources: ['#2 url: m3'],
      category_code: ['m4'],
    });
  });
});
