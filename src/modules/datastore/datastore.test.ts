import { Readable } from 'node:stream';
import iconv from 'iconv-lite';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DGBAS_CSV } from '../../../test/factories/tables.ts';
import { engines, makeEnv, type TestEnv } from '../../../test/helpers/env.ts';



describe.each(engines)('datastore load on %s', (engine) => {
  let t: TestEnv;
  beforeAll(async () => {
    t = await makeEnv(engine);
  });
  afterAll(async () => t.cleanup());

  const upload = (bytes: Buffer, format = 'CSV', encodingDeclared: string | null = 'BIG5') =>
    t.services.datastore.addVersion({ resourceId: 'A41000000G-000001-001', source: Readable.from([bytes]), fileName: 'income.csv', format, encodingDeclared, uploadedBy: 'test' });

  it('loads a Big5 CSV with title and notes rows into typed columns, keeping the original bytes', async () => {
    const bytes = iconv.encode(DGBAS_CSV, 'big5hkscs');
    const v = await upload(bytes);
    expect(v).toMatchObject({ version: 1, datastore_state: 'queued', size: bytes.length });
    const phases: string[] = [];
    const r = await t.services.datastore.load(v.id, (p) => phases.push(p.phase));
    expect(phases.at(-1)).toBe('done');
    expect(r.rows).toBe(3);
    expect(r.columns.map((c) => [c.name, c.type])).toEqual([
      ['年月', 'date'],
      ['可支配所得', 'integer'],
      ['消費支出', 'integer'],
      ['儲蓄率', 'percent'],
    ]);
    expect(r.issues.map((i) => i.en)).toEqual([
      'skipped the title row "表1　家庭收支重要指標" above the header',
      'skipped the title row "單位：元；％" above the header',
      'skipped the note row "註：「-」表示無資料。" below the data',
      'skipped the note row "資料來源：行政院主計總處。" below the data',
    ]);
    const rows = await sql<Record<string, unknown>>`select * from ${sql.table(r.table)} order by _id`.execute(t.services.db.kysely);
    expect(rows.rows.map((x) => [x.c1, Number(x.c2 ?? NaN), Number(x.c3), x.c4 === null ? null : Number(x.c4)])).toEqual([
      ['2024-01', 1234567, 987654, 19.99],
      ['2024-02', 1245000, 990100, 20.47],
      ['2024-03', NaN, 1001234, null],
    ]);
    const stored = await t.services.datastore.version(v.id);
    expect(stored).toMatchObject({ datastore_state: 'ready', datastore_rows: 3, encoding_detected: 'Big5' });
    // The original is kept byte for byte.
    const back: Buffer[] = [];
    for await (const c of t.services.files.open(v.sha256)) back.push(c as Buffer);
    expect(Buffer.concat(back).equals(bytes)).toBe(true);
  });

  it('a failed load leaves no table behind, says why, and the previous version stays the one in use', async () => {
    const before = await t.services.datastore.readyVersion('A41000000G-000001-001');
    const bad = await upload(Buffer.from([0x50, 0x4b, 0x03, 0x04, 0x00, 0x00, 0x00, 0x00, 0x14, 0x00]));
    await expect(t.services.datastore.load(bad.id)).rejects.toThrow(/binary content|NUL/);
    const failed = await t.services.datastore.version(bad.id);
    expect(failed).toMatchObject({ datastore_state: 'failed', datastore_table: null });
    expect(failed.datastore_error).toContain('NUL');
    expect((await t.services.datastore.readyVersion('A41000000G-000001-001'))?.id).toBe(before?.id);
  });

  it('a value late in the file that does not fit the sampled type: the load starts over with types from the whole file', async () => {
    const lines = ['年,人數'];
    for (let i = 1; i <= 15_000; i++) lines.push(`${1900 + (i % 120)},${i === 12_345 ? '"12,000 (註1)"' : i}`);
    lines.push('資料來源：本處。,');
    const v = await t.services.datastore.addVersion({ resourceId: 'LATE-1', source: Readable.from([Buffer.from(lines.join('\n'))]), fileName: 'late.csv', format: 'CSV', uploadedBy: 'test' });
    const r = await t.services.datastore.load(v.id);
    expect(r.rows).toBe(15_000);
    expect(r.columns.map((c) => [c.name, c.type])).toEqual([
      ['年', 'integer'],
      ['人數', 'text'],
    ]);
    expect(r.issues.map((i) => i.en)).toContain('skipped the note row "資料來源：本處。" below the data');
    // The abandoned first table is gone: only this version's table remains of the two made.
    const rows = await sql<{ n: number }>`select count(*) as n from ${sql.table(r.table)}`.execute(t.services.db.kysely);
    expect(Number(rows.rows[0].n)).toBe(15_000);
    const previous = `ds_${Number(r.table.slice(3)) - 1}`;
    expect(await sql`select 1 from ${sql.table(previous)} limit 1`.execute(t.services.db.kysely).then(() => 'exists', () => 'gone')).toBe('gone');
  });
});
