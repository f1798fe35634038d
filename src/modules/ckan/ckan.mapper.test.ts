import { describe, expect, it } from 'vitest';
import { ckanTimestamp, tagId } from './ckan.mapper.ts';
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
