import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { engines, makeEnv, testdata, type TestEnv } from './helpers/env.ts';
import { datasetInput } from './factories/dataset.ts';

// Real data.gov.tw titles (../shared/testdata/datagovtw-catalogue/data_title.txt, 2018): every title
// containing a 2-character query must come back for that query, on both engines.
const file = testdata('datagovtw-catalogue/data_title.txt');
const QUERIES = ['物價', '預算', '薪資', '失業', '人口', '統計'];

describe.skipIf(!file).each(engines)('search over real data.gov.tw titles on %s', (engine) => {
  let t: TestEnv;
  let titles: string[] = [];
  beforeAll(async () => {
    t = await makeEnv(engine);
    const all = readFileSync(file ?? '', 'utf8').split('\n').map((s) => s.trim()).filter(Boolean);
    // Every title with one of the queries, plus a slice of the rest as noise.
    const hits = all.filter((x) => QUERIES.slice(0, 4).some((q) => x.includes(q)));
    titles = [...new Set([...hits.slice(0, 150), ...all.slice(0, 250)])];
    for (const title of titles) {
      await t.services.catalogue.save(datasetInput({ title: title.slice(0, 255), description: '資料集描述。', keywords: [] }), { state: 'published' });
    }
  }, 300_000);
  afterAll(async () => t.cleanup());

  it.each(QUERIES)('finds every title containing %s, title matches ranked first', async (q) => {
    const expected = titles.filter((x) => x.normalize('NFKC').toLowerCase().includes(q)).map((x) => x.slice(0, 255)).sort();
    const r = await t.services.catalogue.search({ q, limit: 1000 });
    // Other fields (unit name 綜合統計處, descriptions) may match too, but only after every title match.
    expect(r.results.slice(0, expected.length).map((d) => d.title).sort()).toEqual(expected);
  });
});
