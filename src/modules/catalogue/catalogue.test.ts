import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { datasetInput } from '../../../test/factories/dataset.ts';
import { engines, makeEnv, type TestEnv } from '../../../test/helpers/env.ts';
import { AppError } from '../../errors.ts';

describe.each(engines)('catalogue on %s', (engine) => {
  let t: TestEnv;
  beforeAll(async () => {
    t = await makeEnv(engine);
  });
  afterAll(async () => t.cleanup());

  it('generates national identifiers and resource ids in sequence', async () => {
    const a = await t.services.catalogue.save(datasetInput(), { state: 'published' });
    const b = await t.services.catalogue.save(datasetInput({ resources: [
      { description: 'CSV', format: 'csv', encoding: 'utf-8', downloadUrl: 'https://x.gov.tw/a.csv' },
      { description: 'XML', format: 'XML', encoding: 'UTF-8', downloadUrl: 'https://x.gov.tw/a.xml' },
    ] }), { state: 'published' });
    expect(a.dataset.identifier).toMatch(/^A41000000G-\d{6}$/);
    const serialA = Number(a.dataset.identifier.slice(-6));
    expect(b.dataset.identifier).toBe(`A41000000G-${String(serialA + 1).padStart(6, '0')}`);
    expect(b.dataset.resources.map((r) => r.resourceId)).toEqual([`${b.dataset.identifier}-001`, `${b.dataset.identifier}-002`]);
    expect(b.dataset.resources[0].format).toBe('CSV');
    expect(b.dataset.name).toBe(b.dataset.identifier.toLowerCase());
  });

  it('rejects values that break national rules, naming each field, and writes nothing', async () => {
    const before = await t.services.catalogue.countPublished();
    const bad = datasetInput({ categoryCode: '999', updateFrequency: '偶爾', cost: '付費', resources: [{ description: 'x', format: 'CSV', encoding: 'UTF-8' }] });
    const err = await t.services.catalogue.save(bad, { state: 'published' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AppError);
    const details = (err as AppError).details ?? {};
    expect(Object.keys(details)).toEqual(expect.arrayContaining(['categoryCode', 'updateFrequency', 'costUrl', 'costLaw', 'resources[0].downloadUrl']));
    expect(await t.services.catalogue.countPublished()).toBe(before);
    // A URL name the portal's own pages use (/manage/datasets/new) would make the dataset unreachable.
    const reserved = await t.services.catalogue.save(datasetInput({ name: 'new' }), { state: 'draft' }).catch((e: unknown) => e);
    expect((reserved as AppError).details?.name?.[0]).toContain('網址名稱「new」為系統保留字');
  });

  it('keeps drafts out of public reads and search', async () => {
    const d = await t.services.catalogue.save(datasetInput({ title: '草稿中的秘密資料' }), { state: 'draft' });
    await expect(t.services.catalogue.get(d.dataset.id)).rejects.toMatchObject({ code: 'DATASET_NOT_FOUND' });
    expect((await t.services.catalogue.search({ q: '秘密' })).count).toBe(0);
    expect((await t.services.catalogue.get(d.dataset.id, { includeNonPublic: true })).state).toBe('draft');
  });

  it('finds 2-character Chinese queries inside titles and ranks title matches first', async () => {
    const inTitle = await t.services.catalogue.save(datasetInput({ title: '消費者物價指數', description: '每月編製。' }), { state: 'published' });
    const inDesc = await t.services.catalogue.save(datasetInput({ title: '進口統計', description: '含物價平減後之數值。' }), { state: 'published' });
    const r = await t.services.catalogue.search({ q: '物價' });
    const ids = r.results.map((d) => d.id);
    expect(ids).toContain(inTitle.dataset.id);
    expect(ids).toContain(inDesc.dataset.id);
    expect(ids.indexOf(inTitle.dataset.id)).toBeLessThan(ids.indexOf(inDesc.dataset.id));
    // A 4-character phrase must appear contiguously, not as scattered bigrams.
    expect((await t.services.catalogue.search({ q: '物價指數' })).results.map((d) => d.id)).toEqual([inTitle.dataset.id]);
    expect((await t.services.catalogue.search({ q: '指數物價' })).count).toBe(0);
  });

  it('searches mixed Chinese and English and facets with counts', async () => {
    await t.services.catalogue.save(datasetInput({ title: 'CPI 消費者物價基本分類指數', unit: 'statistics', keywords: ['CPI', '物價'] }), { state: 'published' });
    await t.services.catalogue.save(datasetInput({ title: '中央政府總預算', unit: 'public-budget', keywords: ['預算'] }), { state: 'published' });
    const mixed = await t.services.catalogue.search({ q: 'cpi 物價', facets: ['unit', 'keyword'] });
    expect(mixed.results[0].title).toBe('CPI 消費者物價基本分類指數');
    const all = await t.services.catalogue.search({ facets: ['unit', 'format'] });
    const units = Object.fromEntries((all.facets.unit ?? []).map((f) => [f.value, f.count]));
    expect(units['public-budget']).toBe(1);
    expect(units.statistics).toBe(all.count - 1);
    const filtered = await t.services.catalogue.search({ filters: [['unit', 'public-budget']] });
    expect(filtered.results.map((d) => d.title)).toEqual(['中央政府總預算']);
  });

  it('re-saving with the same identifier replaces instead of duplicating', async () => {
    const first = await t.services.catalogue.save(datasetInput({ identifier: 'A41000000G-900001', title: '舊名稱' }), { state: 'published' });
    const again = await t.services.catalogue.save(datasetInput({ identifier: 'A41000000G-900001', title: '新名稱' }), { state: 'published' });
    expect(again.created).toBe(false);
    expect(again.dataset.id).toBe(first.dataset.id);
    expect(again.dataset.resources[0].id).toBe(first.dataset.resources[0].id);
    expect((await t.services.catalogue.search({ q: '舊名稱' })).count).toBe(0);
    expect((await t.services.catalogue.search({ q: '新名稱' })).count).toBe(1);
  });
});
