import { writeFileSync } from 'node:fs';
import path from 'node:path';
import iconv from 'iconv-lite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DGBAS_CSV } from './factories/tables.ts';
import { kaifang, noStackTrace } from './helpers/cli.ts';
import { engines, makeEnv, type TestEnv } from './helpers/env.ts';

describe.each(engines)('kaifang datastore load on %s', (engine) => {
  let t: TestEnv;
  let env: Record<string, string>;
  beforeAll(async () => {
    t = await makeEnv(engine);
    env = { KAIFANG_DATA_DIR: t.dir, DATABASE_URL: t.databaseUrl, KAIFANG_DEMO: '0', KAIFANG_ADMIN_PASSWORD: 'admin-password-for-tests', KAIFANG_BASE_URL: 'http://portal.test' };
  });
  afterAll(async () => t.cleanup());

  it('loads a Big5 file with typed columns and says what it skipped; a binary file fails with the reason', async () => {
    const file = path.join(t.dir, '家庭收支.csv');
    writeFileSync(file, iconv.encode(DGBAS_CSV, 'big5hkscs'));
    const r = await kaifang(['datastore', 'load', file, '--resource', 'A41000000G-000009-001', '--encoding', 'BIG5'], env);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^版本 version 1 \([0-9a-f-]+\) → ds_\d+: 3 筆 rows/);
    expect(r.stdout).toContain('  年月\tdate\n  可支配所得\tinteger\n  消費支出\tinteger\n  儲蓄率\tpercent');
    expect(r.stderr).toContain('skipped the title row "表1　家庭收支重要指標" above the header');
    expect(r.stderr).toContain('第 7 行 line 7: 略過資料下方的附註列');

    const bin = path.join(t.dir, 'not-a-table.csv');
    writeFileSync(bin, Buffer.from([0x50, 0x4b, 0x03, 0x04, 0, 0, 0, 0, 0x14, 0, 0, 0]));
    const bad = await kaifang(['datastore', 'load', bin, '--resource', 'A41000000G-000009-001'], env);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('it is not a text CSV');
    noStackTrace(bad);

    const missing = await kaifang(['datastore', 'load', path.join(t.dir, 'nope.csv'), '--resource', 'A41000000G-000009-001'], env);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('找不到檔案');
    expect(missing.stderr).toContain('no such file');
    noStackTrace(missing);
  });
});
