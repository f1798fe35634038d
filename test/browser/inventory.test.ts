import { createWriteStream, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeOds } from '../../src/modules/export/ods.ts';
import { readInventorySheet } from '../../src/modules/inventory/inventory.sheet.ts';
import { ITEM_FIELDS } from '../../src/modules/inventory/inventory.validation.ts';
import { pageChecker, type Portal, skipBrowser, startPortal } from '../helpers/browser.ts';

/** Screenshots of every page visited (looked at by whoever changes these pages); KAIFANG_SCREENSHOTS to keep them elsewhere. */
const SHOTS = process.env.KAIFANG_SCREENSHOTS ?? path.join(tmpdir(), 'kaifang-inventory-shots');
const PASSWORD = 'inventory-browser-password-1';
const CONTACT = 'wang@stat.example';
const REVIEWER = 'lee@stat.example';
const CIO = 'cio@dgbas.example';
const YEAR = 2026;
const OPEN_ITEM = '家庭收支調查報告';

/** An ODS inventory as a unit writes it: the template's headings, one row per item (values by field id). */
async function odsFile(dir: string, name: string, rows: Record<string, string>[]): Promise<string> {
  const file = path.join(dir, name);
  const out = createWriteStream(file);
  const done = new Promise<void>((resolve, reject) => {
    out.on('finish', resolve);
    out.on('error', reject);
  });
  await writeOds(
    ITEM_FIELDS.map((f) => f.heading),
    rows.map((r) => ITEM_FIELDS.map((f) => r[f.id] ?? null)),
    out,
    { sheetName: '資料盤點清單' },
  );
  await done;
  return file;
}

const GOOD: Record<string, string>[] = [
  { itemKey: 'S101', name: OPEN_ITEM, source: '調查', classification: '開放資料', sensitivity: '低', plannedDate: '2026-12-31', updateFrequency: '每1年', description: '家庭收支調查之年度統計結果' },
  { itemKey: 'S102', name: '受僱員工薪資原始資料', source: '調查', classification: '依申請提供', legalBasis: '統計法第19條', reason: '含個別受訪者資料', sensitivity: '高' },
  { itemKey: 'S103', name: '物價調查訪價紀錄', source: '資料庫', classification: '不予提供', legalBasis: '政府資訊公開法第18條第1項第6款', reason: '含受訪商家營業資料', sensitivity: '高' },
];

/**
 * The "done when", as a new unit contact would live it in chromium, axe on every page:
 * the template, an ODS with two bad rows told row by row, the fixed file, submission; the window
 * compiles, the CIO approves; the schedule shows the items; an item becomes a dataset draft that
 * goes through review; the schedule marks it opened; the public list shows the approved list.
 */
describe.skipIf(skipBrowser)('the inventory in a real browser', () => {
  let portal: Portal;
  let base: string;
  let dir: string;
  const check = pageChecker(SHOTS);

  beforeAll(async () => {
    rmSync(SHOTS, { recursive: true, force: true });
    dir = mkdtempSync(path.join(tmpdir(), 'kaifang-inv-browser-'));
    portal = await startPortal(async (env) => {
      const { users } = env.services;
      await users.create({ email: CONTACT, name: '王聯絡', unit: 'statistics', role: 'contact', password: PASSWORD });
      await users.create({ email: REVIEWER, name: '李審查', unit: 'statistics', role: 'reviewer', password: PASSWORD });
      await users.create({ email: CIO, name: '張資訊長', unit: 'dgbas', role: 'cio', password: PASSWORD });
    });
    base = portal.base;
  });
  afterAll(async () => {
    await portal.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const signIn = async (page: Page, email: string, password: string, next: string) => {
    await page.goto(`${base}${next}`);
    await page.getByLabel('電子郵件').fill(email);
    await page.getByLabel('密碼').fill(password);
    await page.getByRole('button', { name: '登入' }).click();
    await page.waitForURL((u) => u.pathname === next.split('?')[0]);
  };
  const click = async (page: Page, name: string | RegExp) => {
    await Promise.all([page.waitForLoadState('load'), page.getByRole('button', { name, exact: typeof name === 'string' }).click()]);
  };
  const mainText = async (page: Page) => (await page.locator('main').textContent()) ?? '';

  it('from the blank template to the published list and an opened dataset', async () => {
    const contact = await portal.newPage();
    await signIn(contact, CONTACT, PASSWORD, '/manage');
    await contact.getByRole('link', { name: '資料盤點' }).click();
    await contact.waitForURL((u) => u.pathname === '/manage/inventory');
    expect(await mainText(contact)).toContain('尚未開始');
    await check(contact, 'overview (contact)');
    await contact.getByRole('link', { name: '編修清單' }).click();
    await contact.waitForURL((u) => u.pathname === `/manage/inventory/${YEAR}/statistics`);
    await check(contact, 'unit (empty)');

    // The blank template, in ODS: it reads back as an inventory with no items.
    const [download] = await Promise.all([contact.waitForEvent('download'), contact.getByRole('link', { name: '空白範本（ODS）' }).click()]);
    const template = path.join(dir, 'template.ods');
    await download.saveAs(template);
    expect(statSync(template).size).toBeGreaterThan(0);
    const blank = await readInventorySheet(template, 'ods');
    expect(blank.items).toEqual([]);

    // The filled-in file has two bad rows (lines 3 and 4): told which and why, nothing stored.
    const bad = await odsFile(dir, 'inventory-bad.ods', [GOOD[0], { ...GOOD[1], legalBasis: '', reason: '' }, { ...GOOD[2], classification: '半開放' }]);
    await contact.getByLabel('盤點清單檔案（ODS、XLSX 或 CSV）').setInputFiles(bad);
    await click(contact, '上傳並取代清單');
    expect(await contact.getByRole('alert').textContent()).toContain('有 3 個問題');
    expect(await mainText(contact)).toContain('檔案有 3 個問題，未儲存任何資料');
    const problems = await contact.locator('#upload-problems tbody tr').allTextContents();
    expect(problems.some((r) => r.startsWith('3') && r.includes('法律依據'))).toBe(true);
    expect(problems.some((r) => r.startsWith('3') && r.includes('不開放理由'))).toBe(true);
    expect(problems.some((r) => r.startsWith('4') && r.includes('資料分級') && r.includes('半開放'))).toBe(true);
    expect(await mainText(contact)).toContain('尚無盤點項目');
    await check(contact, 'unit (upload with two bad rows)');
    // The error summary leads to each problem's row of the table.
    await contact.getByRole('alert').getByRole('link', { name: /第 4 列「資料分級」/ }).click();
    expect(new URL(contact.url()).hash).toBe('#problem-3');

    const fixed = await odsFile(dir, 'inventory.ods', GOOD);
    await contact.getByLabel('盤點清單檔案（ODS、XLSX 或 CSV）').setInputFiles(fixed);
    await click(contact, '上傳並取代清單');
    expect(await contact.getByRole('status').textContent()).toContain('新增 3 項');
    expect(await contact.locator('table.inventory-items tbody tr').count()).toBe(3);
    await check(contact, 'unit (imported)');
    // One more item by hand: the form says what is missing, at each field, and keeps what was typed.
    await contact.getByRole('link', { name: '新增項目' }).click();
    await contact.locator('#f-name').fill('國民所得統計');
    await contact.locator('#f-classification').selectOption('open');
    await click(contact, '儲存');
    const missing = (await contact.getByRole('alert').textContent()) ?? '';
    expect(missing).toContain('資料來源');
    expect(missing).toContain('預定開放日期');
    expect(await contact.locator('#f-name').inputValue()).toBe('國民所得統計');
    expect(await contact.locator('#f-plannedDate').getAttribute('aria-invalid')).toBe('true');
    await check(contact, 'item form with errors');
    await contact.getByRole('alert').getByRole('link', { name: /預定開放日期/ }).click();
    await contact.locator('#f-plannedDate').fill('115/09/30');
    await contact.locator('#f-source').selectOption('database');
    await contact.locator('#f-sensitivity').selectOption('low');
    await click(contact, '儲存');
    expect(await contact.getByRole('status').textContent()).toContain('已儲存項目');
    expect(await contact.locator('table.inventory-items').textContent()).toContain('2026-09-30');
    await click(contact, '送出');
    expect(await contact.getByRole('status').textContent()).toContain('已送出清單');
    await check(contact, 'unit (submitted)');

    // The window compiles.
    const admin = await portal.newPage();
    await signIn(admin, portal.env.config.adminEmail, 'admin-password-for-tests', '/manage/inventory');
    await check(admin, 'overview (window)');
    await click(admin, '彙整全機關清單');
    expect(await admin.getByRole('status').textContent()).toContain('已彙整');
    expect(await mainText(admin)).toContain('未送出的單位');
    await check(admin, 'compiled (window)');

    // The CIO approves.
    const cio = await portal.newPage();
    await signIn(cio, CIO, PASSWORD, '/manage/inventory');
    await cio.getByRole('link', { name: '檢視彙整清單並核定或退回' }).click();
    await check(cio, 'compiled (CIO)');
    await click(cio, '核定');
    expect(await cio.getByRole('status').textContent()).toContain('已核定');

    // The schedule shows the open item; the contact turns it into a dataset draft.
    await contact.goto(`${base}/manage/schedule?year=${YEAR}`);
    const row = contact.locator('table.gantt tbody tr', { hasText: OPEN_ITEM });
    expect(await row.count()).toBe(1);
    expect(await row.locator('td.mark').count()).toBe(1);
    await check(contact, 'schedule (approved)');
    await Promise.all([contact.waitForURL(/\/manage\/datasets\/[^/]+\/edit$/), contact.getByRole('button', { name: `為「${OPEN_ITEM}」建立資料集草稿` }).click()]);
    expect(await contact.locator('#f-title').inputValue()).toBe(OPEN_ITEM);
    await check(contact, 'dataset draft from the item');
    await contact.locator('#f-categoryCode').selectOption('800');
    await contact.locator('#f-fieldDescription').fill('year(年度，西元年)、income(可支配所得)');
    await contact.locator('#f-publisherContactName').fill('王聯絡 先生');
    await contact.locator('#f-publisherContactEmail').fill(CONTACT);
    // The draft has no resource yet: add a block (without JavaScript, a round trip keeps what is filled in).
    if ((await contact.locator('#f-resources-0-description').count()) === 0) await click(contact, '新增資源欄位');
    await contact.locator('#f-resources-0-description').fill('家庭收支 CSV');
    await contact.locator('#f-resources-0-format').fill('CSV');
    await contact.locator('#f-resources-0-downloadUrl').fill('https://example.gov.tw/fies.csv');
    if ((await contact.locator('#f-description').inputValue()).trim() === '') await contact.locator('#f-description').fill('家庭收支調查之年度統計結果');
    await click(contact, '儲存');
    expect(await contact.getByRole('status').textContent(), await mainText(contact)).toContain('已儲存');
    const statusPath = new URL(contact.url()).pathname;
    await click(contact, '送審');
    expect(await contact.getByRole('status').textContent()).toContain('已送審');

    const reviewer = await portal.newPage();
    await signIn(reviewer, REVIEWER, PASSWORD, statusPath);
    await click(reviewer, '核准');
    expect(await reviewer.getByRole('status').textContent()).toContain('已核准');

    // The schedule marks it opened, in words.
    await contact.goto(`${base}/manage/schedule?year=${YEAR}`);
    expect(await contact.locator('table.gantt tbody tr', { hasText: OPEN_ITEM }).textContent()).toContain('已開放');
    await check(contact, 'schedule (opened)');
    await contact.goto(`${base}/manage/schedule?year=${YEAR}&lang=en`);
    await check(contact, 'schedule (en)');

    // The public list.
    const visitor = await portal.newPage();
    await visitor.goto(`${base}/inventory/${YEAR}`);
    const pub = await mainText(visitor);
    expect(pub).toContain('第 1 版');
    expect(pub).toContain(OPEN_ITEM);
    expect(pub).toContain('已開放');
    expect(pub).toContain('政府資訊公開法第18條第1項第6款');
    await check(visitor, 'public list');
    await visitor.goto(`${base}/inventory/${YEAR}?lang=en`);
    await check(visitor, 'public list (en)');
    const csv = await (await fetch(`${base}/inventory/${YEAR}.csv`)).arrayBuffer();
    expect(Buffer.from(csv).toString('utf8')).toContain(OPEN_ITEM);
    await visitor.goto(`${base}/inventory/2001?lang=zh-TW`);
    expect(await mainText(visitor)).toContain('2001 年尚無核定的資料開放清單');
    await check(visitor, 'public list 404');
    expect(readFileSync(fixed).subarray(0, 2).toString()).toBe('PK');
  });
});
