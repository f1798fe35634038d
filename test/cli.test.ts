import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cells, listFile, listRow } from './factories/datagovtw-list.ts';
import { engines, makeEnv, testdata, type TestEnv } from './helpers/env.ts';
import { kaifang, noStackTrace } from './helpers/cli.ts';



describe('kaifang --help', () => {
  it('describes every command in zh-TW and English', async () => {
    const r = await kaifang(['--help'], { KAIFANG_DATA_DIR: os.tmpdir() });
    expect(r.code).toBe(0);
    for (const cmd of ['migrate', 'import', 'export', 'users', 'tokens', 'reindex']) expect(r.stdout).toContain(cmd);
    expect(r.stdout).toContain('重建公開搜尋索引 / rebuild the public search index');
    const sub = await kaifang(['import', 'datagovtw', '--help'], { KAIFANG_DATA_DIR: os.tmpdir() });
    expect(sub.code).toBe(0);
    expect(sub.stdout).toContain('--unit <name>');
    expect(sub.stdout).toContain('國家資料開放平臺清單');
  });

  it('rejects an unknown command with a usage message and no stack trace', async () => {
    const r = await kaifang(['frobnicate'], { KAIFANG_DATA_DIR: os.tmpdir() });
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('命令用法錯誤 Usage error');
    noStackTrace(r);
  });

  it('reports a configuration error clearly', async () => {
    const r = await kaifang(['migrate'], { DATABASE_URL: 'mysql://nope' });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('設定錯誤 Configuration error: DATABASE_URL must start with postgres:// or sqlite:');
    noStackTrace(r);
  });

  it('works on a fresh data directory: migrate creates the database and prints the admin password once', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'kaifang-cli-fresh-'));
    try {
      const env = { KAIFANG_DATA_DIR: dir, KAIFANG_DEMO: '0' };
      const first = await kaifang(['migrate'], env);
      expect(first.code).toBe(0);
      expect(first.stdout).toMatch(/Password \(shown once\): \S{12,}/);
      expect(first.stdout).toContain('statistics');
      const second = await kaifang(['migrate'], env);
      expect(second.code).toBe(0);
      expect(second.stdout).not.toContain('Password');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe.each(engines)('kaifang commands on %s', (engine) => {
  let t: TestEnv;
  let env: Record<string, string>;
  const run = (args: string[], input?: string) => kaifang(args, env, input);
  beforeAll(async () => {
    t = await makeEnv(engine);
    env = { KAIFANG_DATA_DIR: t.dir, DATABASE_URL: t.databaseUrl, KAIFANG_DEMO: '0', KAIFANG_ADMIN_PASSWORD: 'admin-password-for-tests', KAIFANG_BASE_URL: 'http://portal.test' };
  });
  afterAll(async () => t.cleanup());

  const good = [listRow({ 資料集名稱: '薪資統計' }), listRow({ 資料集識別碼: 'A01010000C-000321', 提供機關: '內政部' })];
  const bad = listRow({ 服務分類: '不存在的分類' });

  it('imports a national list, prints the summary, and exits 1 when a row failed', async () => {
    const f = listFile([good[0], bad, good[1]]);
    const file = path.join(t.dir, 'list.csv');
    writeFileSync(file, f.text);
    const r = await run(['import', 'datagovtw', file]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('新增 created 2');
    expect(r.stdout).toContain('失敗 failed 1');
    expect(r.stderr).toContain(`第 ${f.lines[1]} 行 line ${f.lines[1]} [${bad.資料集識別碼}] 服務分類`);
    noStackTrace(r);
    expect((await t.services.catalogue.get(good[0].資料集識別碼)).title).toBe('薪資統計');

    const clean = path.join(t.dir, 'clean.csv');
    writeFileSync(clean, listFile(good).text);
    const again = await run(['import', 'datagovtw', clean, '--unit', 'statistics']);
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('更新 updated 2');
    expect((await t.services.catalogue.get(good[0].資料集識別碼)).unit.name).toBe('statistics');
  });

  it('lists the valid unit names when --unit is unknown', async () => {
    const file = path.join(t.dir, 'clean.csv');
    writeFileSync(file, listFile(good).text);
    const r = await run(['import', 'datagovtw', file, '--unit', 'nowhere']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('找不到單位「nowhere」');
    expect(r.stderr).toMatch(/known: .*statistics/);
    noStackTrace(r);
  });

  const cityPortal = testdata('datagovtw-catalogue/city-portals/kaohisung.2018.03.20.OD.csv');
  it.skipIf(!cityPortal)('refuses a city-portal file that is not in the national format', async () => {
    if (!cityPortal) return;
    const before = await t.services.catalogue.countPublished();
    const r = await run(['import', 'datagovtw', cityPortal]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('檔案不是國家資料開放平臺清單格式');
    expect(r.stderr).toContain('資料集識別碼,資料集名稱,資料提供屬性,服務分類');
    noStackTrace(r);
    expect(await t.services.catalogue.countPublished()).toBe(before);
  });

  it('exports to a file with -o and to stdout without it', async () => {
    const file = path.join(t.dir, 'export.csv');
    const r = await run(['export', 'datagovtw', '-o', file]);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain('exported 2 datasets');
    const text = readFileSync(file, 'utf8');
    expect(text.startsWith('\uFEFF資料集識別碼,')).toBe(true);
    expect(text).toContain(cells(good[0]).slice(0, 2).join(','));
    const piped = await run(['export', 'datagovtw']);
    expect(piped.code).toBe(0);
    expect(piped.stdout).toBe(text);
  });

  it('adds a user with the password read from stdin', async () => {
    const r = await run(['users', 'add', 'clerk@dgbas.gov.tw', '--name', '陳專員', '--unit', 'statistics', '--role', 'contact', '--password-stdin'], 'a-long-enough-password\n');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('contact@statistics');
    expect((await t.services.users.checkPassword('clerk@dgbas.gov.tw', 'a-long-enough-password'))?.name).toBe('陳專員');

    const dup = await run(['users', 'add', 'clerk@dgbas.gov.tw', '--name', 'x', '--unit', 'statistics', '--role', 'contact']);
    expect(dup.code).toBe(1);
    expect(dup.stderr).toContain('已存在');
    const short = await run(['users', 'add', 'new@dgbas.gov.tw', '--name', 'x', '--unit', 'statistics', '--role', 'boss', '--password-stdin'], 'short\n');
    expect(short.code).toBe(1);
    expect(short.stderr).toContain('密碼至少12個字元');
    expect(short.stderr).toContain('role must be one of admin, contact, reviewer, head, cio, advisor');
    noStackTrace(short);
  });

  it('creates a token and prints it alone on stdout', async () => {
    const r = await run(['tokens', 'create', 'clerk@dgbas.gov.tw', '--name', 'ckan-client', '--expires-days', '30']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^kf_[A-Za-z0-9_-]+\n$/);
    expect((await t.services.users.userForToken(r.stdout.trim()))?.email).toBe('clerk@dgbas.gov.tw');
    const bad = await run(['tokens', 'create', 'clerk@dgbas.gov.tw', '--expires-days', 'soon']);
    expect(bad.code).not.toBe(0);
    expect(bad.stdout).toBe('');
    const nobody = await run(['tokens', 'create', 'nobody@dgbas.gov.tw']);
    expect(nobody.code).toBe(1);
    expect(nobody.stdout).toBe('');
    expect(nobody.stderr).toContain('找不到帳號 nobody@dgbas.gov.tw');
  });

  it('lists tokens without revealing them and revokes one so it stops working', async () => {
    const token = (await run(['tokens', 'create', 'clerk@dgbas.gov.tw', '--name', 'to-revoke'])).stdout.trim();
    const list = await run(['tokens', 'list', 'clerk@dgbas.gov.tw']);
    expect(list.code).toBe(0);
    expect(list.stdout).not.toContain(token);
    const line = list.stdout.split('\n').find((l) => l.includes('to-revoke')) ?? '';
    const id = line.split('\t')[0];
    expect(line).toContain('active');
    const revoke = await run(['tokens', 'revoke', id]);
    expect(revoke.code).toBe(0);
    expect(await t.services.users.userForToken(token)).toBeUndefined();
    expect((await run(['tokens', 'list', 'clerk@dgbas.gov.tw'])).stdout).toMatch(/to-revoke\t\S+\t已撤銷 revoked/);
    const unknown = await run(['tokens', 'revoke', 'no-such-token']);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('找不到權杖');
  });

  it('rebuilds the search index', async () => {
    const r = await run(['reindex']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('reindexed 2 datasets');
    expect((await t.services.catalogue.search({ q: '薪資' })).count).toBe(1);
  });
});
