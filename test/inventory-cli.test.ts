import { createWriteStream, existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { finished } from 'node:stream/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeOds } from '../src/modules/export/ods.ts';
import { readInventorySheet } from '../src/modules/inventory/inventory.sheet.ts';
import { ITEM_FIELDS } from '../src/modules/inventory/inventory.validation.ts';
import type { RawCell } from '../src/modules/ingest/table.ts';
import { kaifang, noStackTrace } from './helpers/cli.ts';
import { engines, makeEnv, type TestEnv } from './helpers/env.ts';

const HEADINGS = ITEM_FIELDS.map((f) => f.heading);
const row = (over: Record<string, RawCell>): RawCell[] => HEADINGS.map((h) => (h in over ? over[h] : null));

async function odsFile(file: string, rows: RawCell[][]): Promise<string> {
  const out = createWriteStream(file);
  await writeOds(HEADINGS, rows, out);
  await finished(out);
  return file;
}

describe('kaifang inventory template', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'kaifang-inv-cli-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it.each(['xlsx', 'ods', 'csv'])('writes a %s template the reader accepts, and prints the field guide', async (ext) => {
    const file = path.join(dir, `template.${ext}`);
    const r = await kaifang(['inventory', 'template', '-o', file], { KAIFANG_DATA_DIR: dir });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(file);
    expect(r.stderr).toContain('資料分級 (Classification) — 必填 required；選項 choices: 開放資料、依申請提供、不予提供');
    expect(await readInventorySheet(file)).toEqual({ items: [], problems: [], warnings: [], lines: [], rows: 0 });
  });

  it('refuses an output it cannot write, leaving nothing behind', async () => {
    const bad = await kaifang(['inventory', 'template', '-o', path.join(dir, 'template.pdf')], { KAIFANG_DATA_DIR: dir });
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('輸出檔的副檔名須為 .xlsx、.ods 或 .csv');
    noStackTrace(bad);
    const noDir = await kaifang(['inventory', 'template', '-o', path.join(dir, 'nope', 't.xlsx')], { KAIFANG_DATA_DIR: dir });
    expect(noDir.code).toBe(1);
    expect(noDir.stderr).toContain('找不到輸出目錄');
    noStackTrace(noDir);
    expect(readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });
});

describe.each(engines)('kaifang inventory import and export on %s', (engine) => {
  let t: TestEnv;
  let env: Record<string, string>;
  const run = (args: string[]) => kaifang(args, env);
  const year = 2027;
  beforeAll(async () => {
    t = await makeEnv(engine);
    env = { KAIFANG_DATA_DIR: t.dir, DATABASE_URL: t.databaseUrl, KAIFANG_DEMO: '0', KAIFANG_ADMIN_PASSWORD: 'admin-password-for-tests', KAIFANG_BASE_URL: 'http://portal.test' };
  });
  afterAll(async () => t.cleanup());

  const good = (name: string, extra: Record<string, RawCell> = {}) => row({ 資料名稱: name, 資料來源: '調查', 資料分級: '開放資料', 敏感程度: '低', 預定開放日期: '115/06/30', 更新頻率: '每1月', ...extra });
  const admin = async () => {
    const u = await t.services.users.findByEmail(t.config.adminEmail);
    if (!u) throw new Error('the admin account is missing');
    return u;
  };

  it('a file with bad rows exits 1, names every bad row and stores nothing; the fixed file imports; export writes it back', async () => {
    const bad = await odsFile(path.join(t.dir, 'bad.ods'), [
      good('消費者物價指數', { 項目代碼: 'CPI' }),
      good('家庭收支調查', { 資料分級: '依申請提供', 預定開放日期: null }),
      good('薪資統計', { 敏感程度: '極高' }),
    ]);
    const r = await run(['inventory', 'import', bad, '--unit', 'statistics', '--year', String(year)]);
    expect(r.code).toBe(1);
    noStackTrace(r);
    expect(r.stderr).toContain('第 3 列「法律依據」');
    expect(r.stderr).toContain('row 3, "法律依據" (Legal basis)');
    expect(r.stderr).toContain('第 3 列「不開放理由」');
    expect(r.stderr).toContain('第 4 列「敏感程度」：「極高」不是可用的選項');
    expect(r.stderr).toContain('檔案有誤，未匯入任何資料');
    const user = await admin();
    expect((await t.services.inventory.get('statistics', year, user)).items).toEqual([]);

    const fixed = await odsFile(path.join(t.dir, 'fixed.ods'), [
      good('消費者物價指數', { 項目代碼: 'CPI' }),
      good('家庭收支調查', { 資料分級: '依申請提供', 預定開放日期: null, 法律依據: '統計法第 19 條', 不開放理由: '個別資料涉及隱私' }),
      good('薪資統計', { 敏感程度: '中', 性別統計: '是' }),
    ]);
    const ok = await run(['inventory', 'import', fixed, '--unit', 'statistics', '--year', String(year)]);
    expect(ok.stderr).not.toContain('錯誤');
    expect(ok.code).toBe(0);
    expect(ok.stdout).toContain('新增 added 3, 更新 updated 0, 刪除 removed 0');
    const stored = (await t.services.inventory.get('statistics', year, user)).items;
    expect(stored.map((i) => i.name)).toEqual(['消費者物價指數', '家庭收支調查', '薪資統計']);

    for (const ext of ['xlsx', 'csv']) {
      const out = path.join(t.dir, `export.${ext}`);
      const ex = await run(['inventory', 'export', '--unit', 'statistics', '--year', String(year), '-o', out]);
      expect(ex.code).toBe(0);
      expect(ex.stdout).toContain('已匯出 3 個項目');
      const back = await readInventorySheet(out);
      expect(back.problems).toEqual([]);
      const original = await readInventorySheet(fixed);
      // What was imported comes back, with the keys the service gave the items that had none and
      // the unit's title as the blank 權責單位.
      expect(back.items.map((i) => ({ ...i, itemKey: null }))).toEqual(original.items.map((i) => ({ ...i, itemKey: null, ownerUnit: i.ownerUnit ?? '綜合統計處' })));
      expect(back.items.map((i) => i.itemKey)).toEqual(stored.map((i) => i.itemKey));
    }

    // The export imported again changes nothing but counts the items as updated.
    const again = await run(['inventory', 'import', path.join(t.dir, 'export.xlsx'), '--unit', 'statistics', '--year', String(year)]);
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('新增 added 0, 更新 updated 3, 刪除 removed 0');
  });

  it('a dataset the unit does not have is named by the line of its row; an empty file needs --allow-empty', async () => {
    const user = await admin();
    const before = (await t.services.inventory.get('statistics', year, user)).items;
    const file = await odsFile(path.join(t.dir, 'unknown-dataset.ods'), [good('消費者物價指數'), good('新項目', { 對應資料集: 'A41000000G-999999' })]);
    const r = await run(['inventory', 'import', file, '--unit', 'statistics', '--year', String(year)]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('第 3 列「對應資料集」');
    expect(r.stderr).toContain('A41000000G-999999');
    noStackTrace(r);
    expect((await t.services.inventory.get('statistics', year, user)).items).toEqual(before);

    const empty = path.join(t.dir, 'empty.csv');
    expect((await run(['inventory', 'template', '-o', empty])).code).toBe(0);
    const refused = await run(['inventory', 'import', empty, '--unit', 'statistics', '--year', String(year)]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('確定要清空請加上 --allow-empty');
    expect((await t.services.inventory.get('statistics', year, user)).items).toEqual(before);
    const emptied = await run(['inventory', 'import', empty, '--unit', 'statistics', '--year', String(year), '--allow-empty']);
    expect(emptied.code).toBe(0);
    expect(emptied.stdout).toContain(`新增 added 0, 更新 updated 0, 刪除 removed ${before.length}`);
  });

  it('refuses a file that is not a spreadsheet, and bad arguments, without a stack trace', async () => {
    const png = path.join(t.dir, 'photo.xlsx');
    writeFileSync(png, Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0]));
    const r = await run(['inventory', 'import', png, '--unit', 'statistics', '--year', String(year)]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('這個檔案不是 XLSX 試算表（看來是圖片或 PDF）');
    noStackTrace(r);
    const missing = await run(['inventory', 'import', path.join(t.dir, 'nope.ods'), '--unit', 'statistics', '--year', String(year)]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('找不到檔案');
    const badYear = await run(['inventory', 'export', '--unit', 'statistics', '--year', '115', '-o', path.join(t.dir, 'x.csv')]);
    expect(badYear.code).not.toBe(0);
    expect(badYear.stderr).toContain('須為西元年');
    expect(existsSync(path.join(t.dir, 'x.csv'))).toBe(false);
  });
});
