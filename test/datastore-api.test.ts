import { rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import iconv from 'iconv-lite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readWorkbook } from '../src/modules/ingest/spreadsheet.ts';
import { publishPendingVersions } from '../src/modules/datastore/datastore.service.ts';
import { DGBAS_CSV } from './factories/tables.ts';
import { datasetInput } from './factories/dataset.ts';
import { engines, makeApp } from './helpers/env.ts';

type Envelope<T> = { success: boolean; result: T; error?: { __type: string; message: string } };
interface Search {
  fields: { id: string; type: string }[];
  records: unknown;
  total?: number;
  limit: number;
  offset: number;
  records_format: string;
  _links: { next: string };
  version: number;
}

/** CKAN datastore_search / datastore_info over a Big5 DGBAS-style table loaded into the datastore. */
describe.each(engines)('datastore API on %s', (engine) => {
  let t: Awaited<ReturnType<typeof makeApp>>;
  let rid = '';

  beforeAll(async () => {
    t = await makeApp(engine);
    const { dataset } = await t.services.catalogue.save(datasetInput(), { state: 'published' });
    rid = dataset.resources[0].resourceId;
    const v = await t.services.datastore.addVersion({ resourceId: rid, source: Readable.from([iconv.encode(DGBAS_CSV, 'big5hkscs')]), fileName: 'income.csv', format: 'CSV', encodingDeclared: 'BIG5', uploadedBy: 'test' });
    await t.services.datastore.load(v.id);
    // As if the dataset version that brought the file had been approved.
    await t.services.db.kysely.transaction().execute((trx) => publishPendingVersions(trx, dataset.id, new Date().toISOString()));
  });
  afterAll(async () => t.cleanup());

  const get = async <T>(action: string, params: Record<string, unknown>) => {
    const qs = new URLSearchParams(Object.entries(params).map(([k, v]) => [k, typeof v === 'string' ? v : JSON.stringify(v)])).toString();
    const res = await t.app.inject({ method: 'GET', url: `/api/3/action/${action}?${qs}` });
    return { status: res.statusCode, body: res.json<Envelope<T>>() };
  };
  const post = async <T>(action: string, body: Record<string, unknown>) => {
    const res = await t.app.inject({ method: 'POST', url: `/api/3/action/${action}`, payload: body });
    return { status: res.statusCode, body: res.json<Envelope<T>>() };
  };

  it('datastore_search answers records with correct Chinese and typed values, fields first with _id', async () => {
    const { status, body } = await get<Search>('datastore_search', { resource_id: rid });
    expect(status).toBe(200);
    expect(body.result.fields).toEqual([
      { id: '_id', type: 'int' },
      { id: '年月', type: 'text', info: { label: '年月' } },
      { id: '可支配所得', type: 'int', info: { label: '可支配所得' } },
      { id: '消費支出', type: 'int', info: { label: '消費支出' } },
      { id: '儲蓄率', type: 'numeric', info: { label: '儲蓄率' } },
    ]);
    expect(body.result.records).toEqual([
      { _id: 1, 年月: '2024-01', 可支配所得: 1234567, 消費支出: 987654, 儲蓄率: 19.99 },
      { _id: 2, 年月: '2024-02', 可支配所得: 1245000, 消費支出: 990100, 儲蓄率: 20.47 },
      { _id: 3, 年月: '2024-03', 可支配所得: null, 消費支出: 1001234, 儲蓄率: null },
    ]);
    expect(body.result).toMatchObject({ total: 3, limit: 100, offset: 0, records_format: 'objects', version: 1 });
  });

  it('filters, q, fields, sort, limit/offset, include_total and the lists and csv formats', async () => {
    const f = await post<Search>('datastore_search', { resource_id: rid, filters: { 年月: ['2024-01', '2024-03'] }, fields: ['年月', '消費支出'], sort: '消費支出 desc' });
    expect(f.body.result.records).toEqual([
      { _id: 3, 年月: '2024-03', 消費支出: 1001234 },
      { _id: 1, 年月: '2024-01', 消費支出: 987654 },
    ]);
    expect(f.body.result.total).toBe(2);
    // A filter value in the file's own form (民國) matches the stored canonical form.
    const roc = await post<Search>('datastore_search', { resource_id: rid, filters: { 年月: '113年2月' } });
    expect((roc.body.result.records as { _id: number }[]).map((r) => r._id)).toEqual([2]);
    const q = await get<Search>('datastore_search', { resource_id: rid, q: '2024-02' });
    expect((q.body.result.records as unknown[]).length).toBe(1);
    const paged = await get<Search>('datastore_search', { resource_id: rid, limit: 1, offset: 1, include_total: false, records_format: 'lists' });
    expect(paged.body.result.records).toEqual([[2, '2024-02', 1245000, 990100, 20.47]]);
    expect(paged.body.result.total).toBeUndefined();
    expect(paged.body.result._links.next).toContain('offset=2');
    const csv = await get<Search>('datastore_search', { resource_id: rid, records_format: 'csv', fields: '年月,儲蓄率' });
    expect(csv.body.result.records).toBe('1,2024-01,19.99\n2,2024-02,20.47\n3,2024-03,\n');
  });

  it('datastore_info gives the fields and the count', async () => {
    const { body } = await get<{ meta: { count: number; encoding: string }; fields: { id: string }[] }>('datastore_info', { resource_id: rid });
    expect(body.result.meta).toMatchObject({ count: 3, version: 1, format: 'CSV', encoding: 'Big5' });
    expect(body.result.fields.map((x) => x.id)).toEqual(['_id', '年月', '可支配所得', '消費支出', '儲蓄率']);
  });

  it('refuses unknown fields, limits beyond 32000 and SQL in names, naming the parameter; no other table is reachable', async () => {
    const bad = await post<Search>('datastore_search', { resource_id: rid, filters: { 'c1; drop table datasets': 1 }, sort: '年月; drop table users', fields: ['nope'] });
    expect(bad.status).toBe(409);
    expect(bad.body.success).toBe(false);
    expect(JSON.stringify(bad.body.error)).toContain('field \\"c1; drop table datasets\\" does not exist');
    const limit = await get<Search>('datastore_search', { resource_id: rid, limit: 32001 });
    expect(limit.status).toBe(409);
    for (const id of ['datasets', 'users', `${rid}' or '1'='1`, 'ds_1']) {
      const r = await get<Search>('datastore_search', { resource_id: id });
      expect(r.status, id).toBe(404);
    }
    // The datasets table is still there.
    expect(await t.services.catalogue.countPublished()).toBe(1);
  });

  it('downloads the table as CSV (with BOM on request), JSON and XML, streamed, with formulas neutralised in CSV', async () => {
    const csv = await t.app.inject({ method: 'GET', url: `/api/v1/resources/${rid}/data.csv` });
    expect(csv.statusCode).toBe(200);
    expect(csv.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(csv.headers['content-disposition']).toBe(`attachment; filename="${rid}-v1.csv"`);
    expect(csv.body).toBe('年月,可支配所得,消費支出,儲蓄率\r\n2024-01,1234567,987654,19.99\r\n2024-02,1245000,990100,20.47\r\n2024-03,,1001234,\r\n');
    const bom = await t.app.inject({ method: 'GET', url: `/api/v1/resources/${rid}/data.csv?bom=true` });
    expect(bom.rawPayload.subarray(0, 3)).toEqual(Buffer.from([0xef, 0xbb, 0xbf]));
    const json = await t.app.inject({ method: 'GET', url: `/api/v1/resources/${rid}/data.json` });
    expect(json.json()).toEqual([
      { 年月: '2024-01', 可支配所得: 1234567, 消費支出: 987654, 儲蓄率: 19.99 },
      { 年月: '2024-02', 可支配所得: 1245000, 消費支出: 990100, 儲蓄率: 20.47 },
      { 年月: '2024-03', 可支配所得: null, 消費支出: 1001234, 儲蓄率: null },
    ]);
    const xml = await t.app.inject({ method: 'GET', url: `/api/v1/resources/${rid}/data.xml` });
    expect(xml.body).toContain('<年月>2024-01</年月>');
    expect((await t.app.inject({ method: 'GET', url: `/api/v1/resources/${rid}/data.jsonstat` })).statusCode).toBe(409);
    expect((await t.app.inject({ method: 'GET', url: `/api/v1/resources/${rid}/data.exe` })).statusCode).toBe(400);
  });

  it('downloads the table as ODS and XLSX that read back with the same cells', async () => {
    for (const fmt of ['ods', 'xlsx'] as const) {
      const res = await t.app.inject({ method: 'GET', url: `/api/v1/resources/${rid}/data.${fmt}` });
      expect(res.statusCode).toBe(200);
      const file = path.join(os.tmpdir(), `kaifang-export-${process.pid}.${fmt}`);
      writeFileSync(file, res.rawPayload);
      const wb = await readWorkbook(file);
      const table = wb.sheets[0].table;
      expect(table.columns).toEqual(['年月', '可支配所得', '消費支出', '儲蓄率']);
      const rows: unknown[][] = [];
      for await (const r of table.rows()) rows.push(r);
      expect(rows[0]).toEqual(['2024-01', 1234567, 987654, 19.99]);
      expect(rows).toHaveLength(3);
      rmSync(file);
    }
  });
});
