import iconv from 'iconv-lite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { User } from '../src/modules/users/users.service.ts';
import { datasetInput } from './factories/dataset.ts';
import { DGBAS_CSV } from './factories/tables.ts';
import { engines, makeApp } from './helpers/env.ts';
import { pageText } from './helpers/pages.ts';

/** A multipart body as browsers and curl send it. */
function multipart(parts: { name: string; value: Buffer | string; filename?: string; type?: string }[]): { payload: Buffer; headers: Record<string, string> } {
  const boundary = `----kaifang${Math.random().toString(16).slice(2)}`;
  const chunks: Buffer[] = [];
  for (const p of parts) {
    const disp = `form-data; name="${p.name}"${p.filename ? `; filename="${p.filename}"` : ''}`;
    chunks.push(Buffer.from(`--${boundary}\r\nContent-Disposition: ${disp}\r\n${p.filename ? `Content-Type: ${p.type ?? 'text/csv'}\r\n` : ''}\r\n`));
    chunks.push(typeof p.value === 'string' ? Buffer.from(p.value) : p.value);
    chunks.push(Buffer.from('\r\n'));
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return { payload: Buffer.concat(chunks), headers: { 'content-type': `multipart/form-data; boundary=${boundary}` } };
}

describe.each(engines)('uploads, versions and downloads on %s', (engine) => {
  let t: Awaited<ReturnType<typeof makeApp>>;
  const tokens: Record<string, string> = {};
  let reviewer: User;
  const big5 = iconv.encode(DGBAS_CSV, 'big5hkscs');

  beforeAll(async () => {
    t = await makeApp(engine, { KAIFANG_UPLOAD_MAX_BYTES: '100000' });
    const { users } = t.services;
    for (const [who, unit, role] of [['contact', 'statistics', 'contact'], ['reviewer', 'statistics', 'reviewer'], ['other', 'accounting', 'contact']] as const) {
      await users.create({ email: `${who}@up.test`, name: who, unit, role });
      tokens[who] = (await users.createToken(`${who}@up.test`)).token;
    }
    reviewer = (await users.findByEmail('reviewer@up.test')) as User;
  });
  afterAll(async () => t.cleanup());

  const upload = (datasetId: string, rid: string, file: Buffer, who = 'contact', extra: { name: string; value: string }[] = []) => {
    const m = multipart([...extra, { name: 'file', value: file, filename: '家庭收支.csv' }]);
    return t.app.inject({ method: 'POST', url: `/api/v1/datasets/${datasetId}/resources/${encodeURIComponent(rid)}/versions`, headers: { ...m.headers, authorization: `Bearer ${tokens[who]}` }, payload: m.payload });
  };
  const search = (rid: string, token?: string) =>
    t.app.inject({ method: 'GET', url: `/api/3/action/datastore_search?resource_id=${encodeURIComponent(rid)}`, headers: token ? { authorization: token } : {} });
  const draft = async () => {
    const contact = (await t.services.users.findByEmail('contact@up.test')) as User;
    const { id } = await t.services.review.createDraft(contact, datasetInput());
    const d = await t.services.catalogue.get(id, { includeNonPublic: true });
    return { id, rid: d.resources[0].resourceId, contact };
  };

  it('a contact uploads a Big5 CSV to a draft; it loads in the background; it is public only after approval, with the original bytes downloadable', async () => {
    const { id, rid, contact } = await draft();
    const res = await upload(id, rid, big5, 'contact', [{ name: 'encoding', value: 'BIG5' }]);
    expect(res.statusCode, res.body).toBe(200);
    const body = res.json<{ version: number; jobId: string; size: number; status: { state: string } }>();
    expect(body).toMatchObject({ version: 1, size: big5.length, status: { state: 'draft' } });
    expect(await t.services.jobs.runPending()).toBe(2); // the load, then the quality check of the new version
    expect(await t.services.jobs.get(body.jobId)).toMatchObject({ state: 'done' });
    // The unit reads its draft's table; the public does not see it.
    expect((await search(rid, tokens.contact)).statusCode).toBe(200);
    expect((await search(rid)).statusCode).toBe(404);
    // The resource now points at the stored file and says when it changed.
    const stored = await t.services.catalogue.get(id, { includeNonPublic: true });
    expect(stored.resources[0].downloadUrl).toBe(`http://portal.test/api/v1/resources/${rid}/file`);
    expect(stored.resources[0].modified).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/);

    await t.services.review.submit(contact, id);
    await t.services.review.approve(reviewer, id);
    const pub = await search(rid);
    expect(pub.statusCode).toBe(200);
    expect(pub.json<{ result: { records: { 年月: string }[] } }>().result.records.map((r) => r.年月)).toEqual(['2024-01', '2024-02', '2024-03']);

    const file = await t.app.inject({ method: 'GET', url: `/api/v1/resources/${rid}/file` });
    expect(file.statusCode).toBe(200);
    expect(file.rawPayload.equals(big5)).toBe(true);
    expect(file.headers['content-length']).toBe(String(big5.length));
    const etag = String(file.headers.etag);
    expect((await t.app.inject({ method: 'GET', url: `/api/v1/resources/${rid}/file`, headers: { 'if-none-match': etag } })).statusCode).toBe(304);
    const part = await t.app.inject({ method: 'GET', url: `/api/v1/resources/${rid}/file`, headers: { range: 'bytes=0-9' } });
    expect(part.statusCode).toBe(206);
    expect(part.headers['content-range']).toBe(`bytes 0-9/${big5.length}`);
    expect(part.rawPayload.equals(big5.subarray(0, 10))).toBe(true);
    expect((await t.app.inject({ method: 'GET', url: `/api/v1/resources/${rid}/file`, headers: { range: `bytes=${big5.length}-` } })).statusCode).toBe(416);

    // Beside the Big5 original, a UTF-8 copy of the same text (the original untouched above).
    const listed = (await t.app.inject({ method: 'GET', url: `/api/v1/resources/${rid}/versions` })).json<{ versions: { utf8Url: string | null }[] }>();
    expect(listed.versions[0].utf8Url).toBe(`http://portal.test/api/v1/resources/${rid}/file?version=1&utf8=true`);
    const utf8 = await t.app.inject({ method: 'GET', url: `/api/v1/resources/${rid}/file?version=1&utf8=true` });
    expect(utf8.statusCode).toBe(200);
    expect(utf8.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(utf8.headers['content-disposition']).toContain(`filename*=UTF-8''${encodeURIComponent('家庭收支.utf8.csv')}`);
    expect(utf8.rawPayload.toString('utf8')).toBe(iconv.decode(big5, 'big5hkscs'));
    expect(utf8.body).toContain('家庭收支');
    expect(Number(utf8.headers['content-length'])).toBe(utf8.rawPayload.length);

    // The dataset page shows the version, the open formats and the first rows.
    const page = await t.app.inject({ method: 'GET', url: `/datasets/${id}` });
    expect(page.statusCode).toBe(200);
    const text = pageText(page.body);
    expect(text).toContain('第 1 版，上傳於');
    expect(text).toContain('前 3 筆，共 3 筆');
    expect(text).toContain('2024-01 1,234,567 987,654 19.99%');
    for (const f of ['data.csv', 'data.csv?bom=true', 'data.json', 'data.xml', 'data.ods', 'data.xlsx', 'file']) expect(page.body).toContain(`/api/v1/resources/${rid}/${f.replace('?', '?')}`.replace('&', '&amp;'));
    expect(page.body).not.toContain('data.jsonstat');
    expect(page.body).toContain(`/api/v1/resources/${rid}/file?utf8=true`);
    expect(text).toContain('UTF-8 副本');

    // Keyset pages.
    const p1 = await t.app.inject({ method: 'GET', url: `/api/v1/resources/${rid}/records?limit=2&count=true` });
    const b1 = p1.json<{ records: { _id: number }[]; next: string; total: number }>();
    expect(b1.records.map((r) => r._id)).toEqual([1, 2]);
    expect(b1.total).toBe(3);
    const b2 = (await t.app.inject({ method: 'GET', url: b1.next })).json<{ records: { _id: number }[]; next: string | null; total?: number }>();
    expect(b2.records.map((r) => r._id)).toEqual([3]);
    expect(b2.next).toBeNull();
    expect(b2.total).toBeUndefined();
  });

  it('a new version of a published dataset goes through its working copy: the public keeps version 1 until approval; version 1 stays downloadable', async () => {
    const { id, rid, contact } = await draft();
    await upload(id, rid, big5);
    await t.services.jobs.runPending();
    // The resource says UTF-8; the bytes are Big5: read as Big5, and the mismatch is reported.
    const [v1] = await t.services.datastore.versions(rid);
    expect(v1.encoding_detected).toBe('Big5');
    expect(v1.read_issues_json).toContain('declared encoding UTF-8, but the file is Big5');
    await t.services.review.submit(contact, id);
    await t.services.review.approve(reviewer, id);
    const v2 = Buffer.from('年月,可支配所得\n113年4月,1300000\n', 'utf8');
    const res = await upload(id, rid, v2);
    expect(res.json<{ version: number; status: { state: string; workingCopy?: { state: string } } }>()).toMatchObject({ version: 2, status: { state: 'published', workingCopy: { state: 'draft' } } });
    await t.services.jobs.runPending();
    expect((await search(rid)).json<{ result: { version: number; total: number } }>().result).toMatchObject({ version: 1, total: 3 });
    const versions = await t.app.inject({ method: 'GET', url: `/api/v1/resources/${rid}/versions` });
    expect(versions.json<{ versions: { version: number }[] }>().versions.map((v) => v.version)).toEqual([1]);
    await t.services.review.submit(contact, id);
    // Under review: no more uploads until the reviewer decides.
    expect((await upload(id, rid, v2)).statusCode).toBe(409);
    await t.services.review.approve(reviewer, id);
    expect((await search(rid)).json<{ result: { version: number; total: number } }>().result).toMatchObject({ version: 2, total: 1 });
    const old = await t.app.inject({ method: 'GET', url: `/api/v1/resources/${rid}/file?version=1` });
    expect(old.rawPayload.equals(big5)).toBe(true);
  });

  it('refuses the public, other units, files over the limit and missing files; a file that is not a table fails its load with the reason and nothing public changes', async () => {
    const { id, rid } = await draft();
    expect((await t.app.inject({ method: 'POST', url: `/api/v1/datasets/${id}/resources/${rid}/versions`, ...multipart([{ name: 'file', value: big5, filename: 'x.csv' }]) })).statusCode).toBe(401);
    expect([403, 404]).toContain((await upload(id, rid, big5, 'other')).statusCode);
    const big = await upload(id, rid, Buffer.alloc(150_000, 0x41));
    expect(big.statusCode).toBe(413);
    expect(big.json<{ error: { message: string } }>().error.message).toContain('98 KB');
    const none = multipart([{ name: 'encoding', value: 'UTF-8' }]);
    expect((await t.app.inject({ method: 'POST', url: `/api/v1/datasets/${id}/resources/${rid}/versions`, headers: { ...none.headers, authorization: `Bearer ${tokens.contact}` }, payload: none.payload })).statusCode).toBe(400);
    expect((await upload(id, 'NO-SUCH-RESOURCE', big5)).statusCode).toBe(404);
    // Header lines given in a form a clerk might mistype: refused before anything is stored.
    const badHeader = await upload(id, rid, big5, 'contact', [{ name: 'header', value: '第四行' }]);
    expect(badHeader.statusCode).toBe(400);
    expect(badHeader.json<{ error: { message: string } }>().error.message).toMatch(/表頭列「第四行」的寫法不對/);
    const versionsBefore = await t.services.datastore.versions(rid);
    expect(versionsBefore).toHaveLength(0);

    const zip = await upload(id, rid, Buffer.from([0x50, 0x4b, 0x03, 0x04, 0, 0, 0, 0, 0x14, 0, 0, 0]));
    expect(zip.statusCode).toBe(200);
    await t.services.jobs.runPending();
    const [v] = await t.services.datastore.versions(rid);
    expect(v).toMatchObject({ datastore_state: 'failed' });
    expect(v.datastore_error).toContain('not a text CSV');
    const job = await t.services.jobs.get(zip.json<{ jobId: string }>().jobId);
    expect(job).toMatchObject({ state: 'failed' });
  });

  it('the data dictionary: titles, units and code meanings stored; a type override reloads the table (refused, naming the value, when it does not fit); it feeds 主要欄位說明', async () => {
    const { id, rid } = await draft();
    await upload(id, rid, big5);
    await t.services.jobs.runPending();
    const auth = { authorization: `Bearer ${tokens.contact}` };
    const dict = await t.app.inject({ method: 'GET', url: `/api/v1/resources/${rid}/dictionary`, headers: auth });
    expect(dict.json<{ fields: { name: string; type: string }[] }>().fields.map((f) => [f.name, f.type])).toEqual([['年月', 'date'], ['可支配所得', 'integer'], ['消費支出', 'integer'], ['儲蓄率', 'percent']]);
    const put = (fields: unknown[], who = 'contact') => t.app.inject({ method: 'PUT', url: `/api/v1/resources/${rid}/dictionary`, headers: { authorization: `Bearer ${tokens[who]}` }, payload: { fields } });

    const ok = await put([
      { name: '可支配所得', title: '每戶可支配所得', unit: '元', type: 'decimal' },
      { name: '年月', description: '資料期間（西元年月）', codes: [{ code: '2024-01', meaning: '113年1月' }] },
    ]);
    expect(ok.statusCode, ok.body).toBe(200);
    const body = ok.json<{ jobId: string; fields: { name: string; type: string; inferredType: string; title: string | null; unit: string | null }[] }>();
    expect(body.jobId).toBeTruthy();
    expect(await t.services.jobs.runPending()).toBe(1); // the reload with the new type (the version itself is not new)
    const after = (await t.app.inject({ method: 'GET', url: `/api/v1/resources/${rid}/dictionary`, headers: auth })).json<typeof body>();
    expect(after.fields.find((f) => f.name === '可支配所得')).toMatchObject({ type: 'decimal', inferredType: 'integer', title: '每戶可支配所得', unit: '元' });
    // The dataset's 主要欄位說明 now says what the dictionary says.
    const d = await t.services.catalogue.get(id, { includeNonPublic: true });
    expect(d.fields.find((f) => f.name === '可支配所得')).toMatchObject({ title: '每戶可支配所得', description: '單位：元', type: 'decimal' });
    expect(d.fields.find((f) => f.name === '年月')?.codes).toEqual([{ code: '2024-01', meaning: '113年1月' }]);

    // A type the values do not fit is refused at once, naming the value; nothing changes.
    const bad = await put([{ name: '年月', type: 'integer' }]);
    expect(bad.statusCode).toBe(422);
    expect(bad.json<{ error: { message: string } }>().error.message).toContain('「2024-01」（第 1 筆）');
    const rows = await t.app.inject({ method: 'GET', url: `/api/v1/resources/${rid}/records`, headers: auth });
    expect(rows.json<{ records: { 年月: string }[] }>().records[0].年月).toBe('2024-01');
    expect((await t.services.catalogue.get(id, { includeNonPublic: true })).fields.find((f) => f.name === '年月')?.type).toBe('date');

    expect((await put([{ name: 'no-such', title: 'x' }])).statusCode).toBe(400);
    expect([403, 404]).toContain((await put([{ name: '年月', title: 'x' }], 'other')).statusCode);
  });
});
