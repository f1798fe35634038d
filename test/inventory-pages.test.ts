import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ITEM_FIELDS } from '../src/modules/inventory/inventory.validation.ts';
import type { User } from '../src/modules/users/users.service.ts';
import { engines, makeApp } from './helpers/env.ts';
import { markupProblems } from './helpers/markup.ts';
import { controlValue, pageText, signInSession, type Session } from './helpers/pages.ts';

/*
 * The inventory, schedule and public list pages (issue 6) without a browser: what each person
 * sees and may do, the item form's errors, an upload with bad rows (every problem listed, nothing
 * stored), the whole cycle to the public list, refusals, and English.
 */

const PASSWORD = 'inventory-pages-password-1';
const YEAR = 2026;

type Who = 'contact' | 'reviewer' | 'other' | 'cio' | 'head' | 'none' | 'admin';

/** A CSV in the template's headings (ITEM_FIELDS order), one line per row of values by field id. */
function csvOf(rows: Record<string, string>[]): string {
  const quote = (v: string) => (/[",\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);
  return [ITEM_FIELDS.map((f) => f.heading).join(','), ...rows.map((r) => ITEM_FIELDS.map((f) => quote(r[f.id] ?? '')).join(','))].join('\r\n') + '\r\n';
}

/** A multipart body as a browser sends the upload form: the CSRF field first, then the file. */
function multipart(csrf: string, fileName: string, content: Buffer | string): { payload: Buffer; contentType: string } {
  const boundary = '----kaifangInventoryTest';
  const parts = [
    Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="_csrf"\r\n\r\n${csrf}\r\n`),
    Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${fileName}"\r\nContent-Type: application/octet-stream\r\n\r\n`),
    Buffer.isBuffer(content) ? content : Buffer.from(content),
    Buffer.from(`\r\n--${boundary}--\r\n`),
  ];
  return { payload: Buffer.concat(parts), contentType: `multipart/form-data; boundary=${boundary}` };
}

const cpi = { itemKey: 'S001', name: '消費者物價指數', source: '資料庫', classification: '開放資料', sensitivity: '低', plannedDate: `${YEAR}-10-30`, updateFrequency: '每1月' };
const wages = { itemKey: 'S002', name: '受僱員工薪資原始資料', source: '調查', classification: '依申請提供', legalBasis: '統計法第19條', reason: '含個別受訪者資料', sensitivity: '高' };

describe.each(engines)('inventory pages (%s)', (engine) => {
  let t: Awaited<ReturnType<typeof makeApp>>;
  const s = {} as Record<Who, Session>;
  const u = {} as Record<Who, User>;

  beforeAll(async () => {
    t = await makeApp(engine);
    const { users, config } = t.services;
    const people: [Exclude<Who, 'admin'>, string, string][] = [
      ['contact', 'statistics', 'contact'],
      ['reviewer', 'statistics', 'reviewer'],
      ['other', 'accounting', 'contact'],
      ['cio', 'dgbas', 'cio'],
      ['head', 'dgbas', 'head'],
      ['none', 'census', 'contact'],
    ];
    for (const [who, unit, role] of people) await users.create({ email: `${who}@inv.test`, name: `${who} 先生`, unit, role, password: PASSWORD });
    await users.removeRole('none@inv.test', 'census', 'contact');
    for (const [who] of people) {
      s[who] = await signInSession(t.app, `${who}@inv.test`, PASSWORD, '/account');
      u[who] = (await users.findByEmail(`${who}@inv.test`)) as User;
    }
    s.admin = await signInSession(t.app, config.adminEmail, 'admin-password-for-tests', '/account');
    u.admin = (await users.findByEmail(config.adminEmail)) as User;
  });
  afterAll(async () => t.cleanup());

  const get = (who: Who | null, url: string) => t.app.inject({ method: 'GET', url, headers: who ? { cookie: s[who].cookie } : {} });
  const post = (who: Who, url: string, fields: Record<string, string> = {}) =>
    t.app.inject({ method: 'POST', url, headers: { cookie: s[who].cookie, 'content-type': 'application/x-www-form-urlencoded' }, payload: new URLSearchParams({ ...fields, _csrf: s[who].csrf }).toString() });
  const upload = (who: Who, url: string, fileName: string, content: string | Buffer) => {
    const { payload, contentType } = multipart(s[who].csrf, fileName, content);
    return t.app.inject({ method: 'POST', url, headers: { cookie: s[who].cookie, 'content-type': contentType }, payload });
  };
  const page = (res: LightMyRequestResponse, status = 200) => {
    expect(res.statusCode, res.body.slice(0, 2000)).toBe(status);
    expect(markupProblems(res.body)).toEqual([]);
    return { html: res.body, text: pageText(res.body) };
  };
  const unitUrl = `/manage/inventory/${YEAR}/statistics`;
  const storedNames = async () => (await t.services.inventory.get('statistics', YEAR, u.admin)).items.map((i) => i.name);

  it('runs the year from an empty list to the public list, each person seeing their own buttons', async () => {
    // The contact: the overview shows their unit only, not started, with the way in.
    const overview = page(await get('contact', `/manage/inventory?year=${YEAR}`));
    expect(overview.text).toContain(`${YEAR} 年資料盤點`);
    expect(overview.text).toContain('尚未開始');
    expect(overview.text).toContain('編修清單');
    expect(overview.html).not.toContain('/compile"');

    // The empty unit page: add, upload (CSRF field before the file), the template in three formats.
    const empty = page(await get('contact', unitUrl));
    expect(empty.text).toContain('尚無盤點項目');
    expect(empty.html).toContain('enctype="multipart/form-data"');
    expect(empty.html.indexOf('name="_csrf"', empty.html.indexOf('enctype="multipart/form-data"'))).toBeLessThan(empty.html.indexOf('type="file"'));
    for (const ext of ['csv', 'ods', 'xlsx']) expect(empty.html).toContain(`/manage/inventory/template.${ext}`);
    expect(empty.html).not.toContain('/submit"');

    const template = await get('contact', '/manage/inventory/template.csv');
    expect(template.statusCode).toBe(200);
    expect(template.headers['content-type']).toMatch(/^text\/csv/);
    expect(template.rawPayload.subarray(0, 3)).toEqual(Buffer.from([0xef, 0xbb, 0xbf]));
    expect(template.body).toContain('資料名稱');

    // The item form: built from ITEM_FIELDS; an open item without its date and a bad choice come back with every problem.
    const form = page(await get('contact', `${unitUrl}/items/new`));
    for (const f of ITEM_FIELDS) expect(form.html).toContain(`id="f-${f.id}"`);
    expect(form.text).toContain('開放資料必填，如 2026-06-30 或 115/06/30');
    const bad = page(await post('contact', `${unitUrl}/items/new`, { name: '漏填日期的項目', source: 'database', classification: 'open', sensitivity: 'low', priority: 'abc' }), 400);
    expect(bad.html).toContain('class="error-summary"');
    expect(bad.html).toContain('href="#f-plannedDate"');
    expect(bad.html).toContain('href="#f-priority"');
    expect(bad.html).toMatch(/id="f-plannedDate"[^>]*aria-invalid="true"|aria-invalid="true"[^>]*id="f-plannedDate"/);
    expect(controlValue(bad.html, 'f-name')).toBe('漏填日期的項目');
    expect(await storedNames()).toEqual([]);

    const saved = await post('contact', `${unitUrl}/items/new`, { name: '手動新增的項目', source: 'website', classification: 'open', sensitivity: 'low', plannedDate: '115/12/31', priority: '0' });
    expect(saved.statusCode).toBe(303);
    expect(await storedNames()).toEqual(['手動新增的項目']);

    // An upload with two bad rows: every problem by row and column, nothing stored.
    const badFile = csvOf([cpi, { ...wages, legalBasis: '', reason: '' }, { ...cpi, itemKey: 'S003', name: '日期錯的項目', plannedDate: '明年' }]);
    const refused = page(await upload('contact', `${unitUrl}/upload`, 'inventory.csv', badFile), 400);
    expect(refused.text).toContain('未儲存任何資料');
    expect(refused.html).toContain('id="upload-problems"');
    const rows = [...refused.html.matchAll(/<tr id="problem-\d+"><td class="num">(\d+)<\/td><td><span>([^<]+)<\/span>/g)].map((m) => `${m[1]} ${m[2]}`);
    expect(rows).toEqual(['3 法律依據', '3 不開放理由', '4 預定開放日期']);
    expect(refused.text).toContain('「明年」不是日期');
    expect(await storedNames()).toEqual(['手動新增的項目']);

    // The corrected file replaces the list.
    const imported = await upload('contact', `${unitUrl}/upload`, 'inventory.csv', csvOf([cpi, wages]));
    expect(imported.statusCode, imported.body.slice(0, 500)).toBe(303);
    expect(imported.headers.location).toContain('done=imported');
    const afterImport = page(await get('contact', String(imported.headers.location)));
    expect(afterImport.text).toContain('已匯入檔案');
    expect(afterImport.text).toContain('新增 2 項');
    expect(await storedNames()).toEqual(['消費者物價指數', '受僱員工薪資原始資料']);
    // Deleting asks first: the delete button sits inside a disclosure that names the item.
    expect(afterImport.html).toMatch(/<details class="confirm-delete"><summary aria-label="刪除「消費者物價指數」">刪除<\/summary><p>確定刪除「消費者物價指數」？/);

    const ods = await get('contact', `${unitUrl}/download.ods`);
    expect(ods.statusCode).toBe(200);
    expect(ods.headers['content-type']).toBe('application/vnd.oasis.opendocument.spreadsheet');
    expect(ods.rawPayload.subarray(0, 2).toString()).toBe('PK');

    // The reviewer reads it but gets no editing buttons.
    const asReviewer = page(await get('reviewer', unitUrl));
    expect(asReviewer.text).toContain('消費者物價指數');
    expect(asReviewer.html).not.toContain('/upload"');
    expect(asReviewer.html).not.toContain('/items/new');

    expect((await post('contact', `${unitUrl}/submit`)).statusCode).toBe(303);
    const submitted = page(await get('contact', unitUrl));
    expect(submitted.text).toContain('已送出');
    expect(submitted.html).not.toContain('/items/new');

    // The window: every unit, 彙整 and 退回 for the submitted one.
    const windowView = page(await get('admin', `/manage/inventory?year=${YEAR}`));
    expect(windowView.text).toContain('彙整全機關清單');
    expect(windowView.html).toContain(`/manage/inventory/${YEAR}/statistics/return`);
    expect(windowView.text).toContain('會計決算處');
    const compiled = await post('admin', `/manage/inventory/${YEAR}/compile`);
    expect(compiled.statusCode).toBe(303);
    const compiledPage = page(await get('admin', String(compiled.headers.location)));
    expect(compiledPage.text).toContain('已彙整全機關清單');
    expect(compiledPage.text).toContain('未送出的單位');
    expect(compiledPage.html).not.toContain('/approve"');

    // The CIO: approve (and return) on the compiled page.
    const forCio = page(await get('cio', `/manage/inventory?year=${YEAR}`));
    expect(forCio.text).toContain('檢視彙整清單並核定或退回');
    const decide = page(await get('cio', `/manage/inventory/${YEAR}/compiled`));
    expect(decide.html).toContain(`/manage/inventory/${YEAR}/approve`);
    expect(decide.html).toContain(`/manage/inventory/${YEAR}/return-list`);
    // A return without a comment is refused at the comment box.
    const noComment = page(await post('cio', `/manage/inventory/${YEAR}/return-list`, { comment: ' ' }), 400);
    expect(noComment.html).toContain('href="#list-comment"');
    expect((await post('cio', `/manage/inventory/${YEAR}/approve`)).statusCode).toBe(303);

    // The schedule: the open item, a row with twelve months and a marked month, status in words.
    const schedule = page(await get('contact', `/manage/schedule?year=${YEAR}`));
    expect(schedule.text).toContain('消費者物價指數');
    expect(schedule.text).not.toContain('受僱員工薪資原始資料');
    expect((schedule.html.match(/<th scope="col" class="month">/g) ?? []).length).toBe(12);
    expect(schedule.html).toContain('class="month mark');
    expect(schedule.text).toMatch(/進度正常|即將到期|逾期/);
    expect(schedule.text).toContain('建立資料集草稿');
    const itemId = /\/manage\/schedule\/items\/([^/]+)\/dataset/.exec(schedule.html)?.[1] ?? '';
    const draft = await post('contact', `/manage/schedule/items/${itemId}/dataset`);
    expect(draft.statusCode).toBe(303);
    expect(String(draft.headers.location)).toMatch(/^\/manage\/datasets\/[^/]+\/edit$/);
    const editor = page(await get('contact', String(draft.headers.location)));
    expect(controlValue(editor.html, 'f-title')).toBe('消費者物價指數');
    // The unit's list links the item to its dataset's status page.
    const linked = page(await get('contact', unitUrl));
    const datasetLink = /href="(\/manage\/datasets\/[^"]+)"/.exec(linked.html)?.[1] ?? '';
    expect(datasetLink).not.toBe('');
    page(await get('contact', datasetLink));

    // The public list: the approved revision, by classification, the reason for what is not open.
    const pub = page(await get(null, `/inventory/${YEAR}`));
    expect(pub.text).toContain(`${YEAR} 年資料開放清單及期程`);
    expect(pub.text).toContain('第 1 版');
    expect(pub.text).toContain('統計法第19條');
    expect(pub.text).toContain('含個別受訪者資料');
    // The list's catalogue dataset (whose resource is the CSV below) is linked.
    const listDataset = /href="(\/datasets\/[^"]+)"/.exec(pub.html.slice(pub.html.indexOf('<main')))?.[1] ?? '';
    expect(listDataset).not.toBe('');
    expect(page(await get(null, listDataset)).text).toContain('資料開放清單及期程');
    // /inventory (linked from every page's footer) goes to the newest approved list.
    const newest = await get(null, '/inventory');
    expect([newest.statusCode, newest.headers.location]).toEqual([302, `/inventory/${YEAR}`]);
    expect(page(await get(null, '/')).html).toContain('href="/inventory"');
    const csv = await get(null, `/inventory/${YEAR}.csv`);
    expect(csv.statusCode).toBe(200);
    expect(csv.rawPayload.subarray(0, 3)).toEqual(Buffer.from([0xef, 0xbb, 0xbf]));
    expect(csv.body).toContain('消費者物價指數');
    expect(csv.body).toContain('依申請提供');
    // Its columns are exactly the fields its catalogue dataset declares (the quality engine compares the two).
    const listName = decodeURIComponent(listDataset.split('/').pop() ?? '');
    const declared = (await t.services.catalogue.get(listName)).fields.map((f) => f.name);
    expect(csv.body.slice(1).split(/\r?\n/)[0]?.split(',')).toEqual(declared);

    // In English.
    const en = page(await get(null, `/inventory/${YEAR}?lang=en`));
    expect(en.html).toContain('<html lang="en"');
    expect(en.text).toContain(`Open-data list and schedule ${YEAR}`);
    expect(en.text).toContain('On application');
    const enUnit = page(await get('contact', `${unitUrl}?lang=en`));
    expect(enUnit.text).toContain(`Data inventory ${YEAR}`);
    expect(enUnit.text).toContain('approved');
    const enSchedule = page(await get('contact', `/manage/schedule?year=${YEAR}&lang=en`));
    expect(enSchedule.text).toContain('Opening schedule');
  });

  it('starts a year from the last one, shows the window\'s return comment, and compiles a second revision with its diff', async () => {
    const year = YEAR + 3;
    const url = `/manage/inventory/${year}/statistics`;
    const inv = t.services.inventory;
    // Last year's list, approved (with a hostile name: it stays text on every page).
    const hostile = '<script>alert(1)</script>物價';
    await inv.replaceItems('statistics', year - 1, [
      { name: hostile, source: 'database', classification: 'open', sensitivity: 'low', plannedDate: `${year - 1}-06-30`, itemKey: 'H1', systemName: null, description: null, ownerUnit: null, legalBasis: null, reason: null, genderFlag: false, priority: 0, updateFrequency: null, notes: null },
    ], u.contact);
    await inv.submit('statistics', year - 1, u.contact);
    await inv.compile(year - 1, u.admin);
    await inv.approve(year - 1, u.cio);

    // This year's list is empty: "以去年清單為底" is offered and copies it.
    const empty = page(await get('contact', url));
    expect(empty.text).toContain(`以去年（${year - 1} 年）清單為底`);
    const started = await post('contact', `${url}/start-from`, { fromYear: String(year - 1) });
    expect(started.statusCode).toBe(303);
    const copied = page(await get('contact', String(started.headers.location)));
    expect(copied.text).toContain('已複製去年清單');
    expect(copied.html).not.toContain('start-from');
    expect(copied.text).toContain(hostile);

    // The window returns it without a comment (told at the box), then with one; the contact sees the comment.
    expect((await post('contact', `${url}/submit`)).statusCode).toBe(303);
    const noComment = page(await post('admin', `${url}/return`, { comment: '' }), 400);
    expect(noComment.html).toContain('href="#return-comment"');
    expect((await post('admin', `${url}/return`, { comment: '請補上更新頻率' })).statusCode).toBe(303);
    const returned = page(await get('contact', url));
    expect(returned.text).toContain('主計資訊處退回本清單');
    expect(returned.text).toContain('請補上更新頻率');

    // A new item, submitted again: the compiled list shows it as new against last year's approval.
    expect((await post('contact', `${url}/items/new`, { name: '新增的調查結果', source: 'survey', classification: 'open', sensitivity: 'low', plannedDate: `${year}-03-31` })).statusCode).toBe(303);
    expect((await post('contact', `${url}/submit`)).statusCode).toBe(303);
    expect((await post('admin', `/manage/inventory/${year}/compile`)).statusCode).toBe(303);
    const compiled = page(await get('cio', `/manage/inventory/${year}/compiled`));
    expect(compiled.text).toContain(`比較對象：${year - 1} 年第 1 版`);
    expect(compiled.text).toContain('新增（1）');
    expect(compiled.text).toContain('新增的調查結果');
    // The CIO returns the list with a comment; the window sees it and compiles again.
    expect((await post('cio', `/manage/inventory/${year}/return-list`, { comment: '請確認期程' })).statusCode).toBe(303);
    const overview = page(await get('admin', `/manage/inventory?year=${year}`));
    expect(overview.text).toContain('請確認期程');
    expect(overview.text).toContain('重新彙整');
    const compiledEn = page(await get('cio', `/manage/inventory/${year}/compiled?lang=en`));
    expect(compiledEn.text).toContain('returned by the CIO');
  });

  it('refuses who may not see or change an inventory, and answers 404 for a year with no approval', async () => {
    // Signed out: the sign-in wall.
    const anon = await get(null, '/manage/inventory');
    expect(anon.statusCode).toBe(303);
    expect(String(anon.headers.location)).toMatch(/^\/signin\?next=/);
    // No role: refused.
    expect((await get('none', '/manage/inventory')).statusCode).toBe(403);
    expect((await get('none', '/manage/schedule')).statusCode).toBe(403);
    // Another unit's contact: neither reads nor writes statistics' list.
    expect([403, 404]).toContain((await get('other', `/manage/inventory/${YEAR + 1}/statistics`)).statusCode);
    expect((await post('other', `/manage/inventory/${YEAR + 1}/statistics/items/new`, { name: 'x', source: 'website', classification: 'open', sensitivity: 'low', plannedDate: '2027-01-01' })).statusCode).toBe(403);
    const forged = await upload('other', `/manage/inventory/${YEAR + 1}/statistics/upload`, 'x.csv', csvOf([cpi]));
    expect(forged.statusCode).toBe(403);
    // The CIO reads, but does not edit or compile.
    expect((await get('cio', `/manage/inventory/${YEAR + 1}/statistics`)).statusCode).toBe(200);
    expect((await post('cio', `/manage/inventory/${YEAR + 1}/statistics/items/new`, { name: 'x' })).statusCode).toBe(403);
    expect((await post('contact', `/manage/inventory/${YEAR + 1}/compile`)).statusCode).toBe(403);
    // An upload without a file: the form again, with its error.
    const noFile = page(await upload('contact', `/manage/inventory/${YEAR + 1}/statistics/upload`, '', ''), 400);
    expect(noFile.html).toContain('href="#inventory-file"');
    expect(noFile.text).toContain('請選擇要上傳的檔案');
    // A file that is not a spreadsheet: told so at the file control.
    const notSheet = page(await upload('contact', `/manage/inventory/${YEAR + 1}/statistics/upload`, 'photo.png', Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 1, 2, 3])), 400);
    expect(notSheet.html).toContain('id="inventory-file-error"');
    expect((await t.services.inventory.get('statistics', YEAR + 1, u.admin)).items).toEqual([]);

    const missing = page(await get(null, '/inventory/1999'), 404);
    expect(missing.text).toContain('1999 年尚無核定的資料開放清單');
    const missingEn = page(await get(null, '/inventory/1999?lang=en'), 404);
    expect(missingEn.text).toContain('No open-data list has been approved for 1999');
    expect((await get(null, '/inventory/1999.csv')).statusCode).toBe(404);
    expect((await get(null, '/inventory/abc')).statusCode).toBe(404);
  });
});
