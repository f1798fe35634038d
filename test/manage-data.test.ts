import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import iconv from 'iconv-lite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { User } from '../src/modules/users/users.service.ts';
import { datasetInput } from './factories/dataset.ts';
import { ALL, HOSTILE, hostileInput } from './factories/hostile.ts';
import { DGBAS_CSV } from './factories/tables.ts';
import { engines, makeApp } from './helpers/env.ts';
import { decode, markupProblems } from './helpers/markup.ts';
import { controlValue, pageText, signInSession, type Session } from './helpers/pages.ts';

/** A multipart body as a browser sends a form with enctype="multipart/form-data" (fields in page order). */
function multipart(parts: { name: string; value: Buffer | string; filename?: string; type?: string }[]): { payload: Buffer; headers: Record<string, string> } {
  const boundary = `----kaifangform${Math.random().toString(16).slice(2)}`;
  const chunks: Buffer[] = [];
  for (const p of parts) {
    const disp = `form-data; name="${p.name}"${p.filename !== undefined ? `; filename="${p.filename}"` : ''}`;
    chunks.push(Buffer.from(`--${boundary}\r\nContent-Disposition: ${disp}\r\n${p.filename !== undefined ? `Content-Type: ${p.type ?? 'text/csv'}\r\n` : ''}\r\n`));
    chunks.push(typeof p.value === 'string' ? Buffer.from(p.value) : p.value);
    chunks.push(Buffer.from('\r\n'));
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return { payload: Buffer.concat(chunks), headers: { 'content-type': `multipart/form-data; boundary=${boundary}` } };
}

/** Every file in the store (tmp included: a refused upload must not leave half a file there either). */
function storedFiles(dir: string): string[] {
  const root = path.join(dir, 'files');
  const out: string[] = [];
  const walk = (d: string) => {
    let entries: string[];
    try {
      entries = readdirSync(d);
    } catch {
      return;
    }
    for (const e of entries) {
      const p = path.join(d, e);
      if (statSync(p).isDirectory()) walk(p);
      else out.push(path.relative(root, p));
    }
  };
  walk(root);
  return out.sort();
}

const PASSWORD = 'clerk-password-12345';

describe.each(engines)('back office: data files on %s', (engine) => {
  let t: Awaited<ReturnType<typeof makeApp>>;
  const s = {} as Record<'contact' | 'reviewer' | 'other', Session>;
  let contact: User;
  let reviewer: User;
  const big5 = iconv.encode(DGBAS_CSV, 'big5hkscs');

  beforeAll(async () => {
    t = await makeApp(engine, { KAIFANG_UPLOAD_MAX_BYTES: '100000' });
    const { users } = t.services;
    for (const [who, unit, role] of [['contact', 'statistics', 'contact'], ['reviewer', 'statistics', 'reviewer'], ['other', 'accounting', 'contact']] as const) {
      await users.create({ email: `${who}@bo.test`, name: `${who} 先生`, unit, role, password: PASSWORD });
      s[who] = await signInSession(t.app, `${who}@bo.test`, PASSWORD, '/manage');
    }
    contact = (await users.findByEmail('contact@bo.test')) as User;
    reviewer = (await users.findByEmail('reviewer@bo.test')) as User;
  });
  afterAll(async () => t.cleanup());

  const draft = async (over: Parameters<typeof datasetInput>[0] = {}) => {
    const { id } = await t.services.review.createDraft(contact, datasetInput(over));
    const d = await t.services.catalogue.get(id, { includeNonPublic: true });
    return { id, name: d.name, rid: d.resources[0].resourceId };
  };
  const get = (url: string, who: keyof typeof s = 'contact') => t.app.inject({ method: 'GET', url, headers: { cookie: s[who].cookie } });
  /** Posts the upload form as the page builds it: the token first, then the encoding, then the file. */
  const uploadForm = (name: string, rid: string, file: { value: Buffer; filename: string } | null, opts: { who?: keyof typeof s; encoding?: string; header?: string; csrf?: string | null; lang?: string } = {}) => {
    const who = opts.who ?? 'contact';
    const parts: Parameters<typeof multipart>[0] = [];
    if (opts.csrf !== null) parts.push({ name: '_csrf', value: opts.csrf ?? s[who].csrf });
    parts.push({ name: 'encoding', value: opts.encoding ?? '' });
    parts.push({ name: 'header', value: opts.header ?? '' });
    // A browser sends the file part even when none was chosen: no file name, no bytes.
    parts.push(file ? { name: 'file', value: file.value, filename: file.filename } : { name: 'file', value: '', filename: '', type: 'application/octet-stream' });
    const m = multipart(parts);
    return t.app.inject({ method: 'POST', url: `/manage/datasets/${encodeURIComponent(name)}/resources/${encodeURIComponent(rid)}/upload${opts.lang ? `?lang=${opts.lang}` : ''}`, headers: { ...m.headers, cookie: s[who].cookie }, payload: m.payload });
  };
  const postForm = (url: string, fields: Record<string, string>, who: keyof typeof s = 'contact') =>
    t.app.inject({ method: 'POST', url, headers: { cookie: s[who].cookie, 'content-type': 'application/x-www-form-urlencoded' }, payload: new URLSearchParams({ _csrf: s[who].csrf, ...fields }).toString() });

  /** The dictionary form as the page renders it (every control's value), to post back with changes. */
  const dictionaryForm = (html: string): Record<string, string> => {
    const form: Record<string, string> = {};
    const version = /name="version" value="(\d+)"/.exec(html)?.[1] ?? '';
    const count = Number(/name="columnCount" value="(\d+)"/.exec(html)?.[1] ?? '0');
    form.version = version;
    form.columnCount = String(count);
    for (let i = 0; i < count; i++) {
      form[`c${i}.name`] = decode(new RegExp(`name="c${i}\\.name" value="([^"]*)"`).exec(html)?.[1] ?? '');
      const select = new RegExp(`<select id="col-${i}-type"[\\s\\S]*?</select>`).exec(html)?.[0] ?? '';
      form[`c${i}.type`] = /<option value="(\w+)" selected/.exec(select)?.[1] ?? '';
      for (const k of ['title', 'description', 'unit', 'codes']) form[`c${i}.${k}`] = controlValue(html, `col-${i}-${k}`) ?? '';
    }
    return form;
  };

  it('a contact uploads the DGBAS Big5 CSV through the form, follows its load, and sees every version, the issues and the dictionary', async () => {
    const d = await draft();
    const status = await get(`/manage/datasets/${d.name}`);
    expect(status.statusCode).toBe(200);
    expect(status.body).toContain('enctype="multipart/form-data"');
    expect(pageText(status.body)).toContain('資料檔');
    expect(pageText(status.body)).toContain('尚未上傳任何檔案。');

    const res = await uploadForm(d.name, d.rid, { value: big5, filename: '家庭收支.csv' }, { encoding: 'Big5' });
    expect(res.statusCode, res.body).toBe(303);
    const page = String(res.headers.location);
    expect(page).toBe(`/manage/datasets/${encodeURIComponent(d.name)}/resources/${encodeURIComponent(d.rid)}?done=uploaded`);

    // Queued: the page says so, with a link to update it (and an opt-in automatic refresh).
    const queued = await get(page);
    expect(queued.statusCode).toBe(200);
    const qt = pageText(queued.body);
    expect(qt).toContain('已上傳新版本');
    expect(qt).toContain('第 1 版載入進度');
    expect(qt).toContain('排隊等待載入');
    expect(qt).toContain('等待載入');
    expect(queued.body).not.toContain('http-equiv="refresh"');
    const following = await get(`/manage/datasets/${d.name}/resources/${d.rid}?follow=1`);
    expect(following.body).toContain('<meta http-equiv="refresh" content="3"/>');
    expect(pageText(following.body)).toContain('停止自動更新');
    // The progress comes from the job.
    const job = await t.services.jobs.latestFor('datastore.load', 'versionId', (await t.services.datastore.versions(d.rid))[0].id);
    await t.services.db.kysely.updateTable('jobs').set({ state: 'running', progress: JSON.stringify({ phase: 'loading', rows: 2 }) }).where('id', '=', job?.id ?? '').execute();
    expect(pageText((await get(page)).body)).toContain('寫入資料表：已處理 2 筆。');
    await t.services.db.kysely.updateTable('jobs').set({ state: 'queued', progress: null }).where('id', '=', job?.id ?? '').execute();

    expect(await t.services.jobs.runPending()).toBe(2); // the load, then the quality check of the new version
    const loaded = await get(`/manage/datasets/${d.name}/resources/${d.rid}`);
    const lt = pageText(loaded.body);
    expect(lt).not.toContain('載入進度');
    expect(lt).toContain('家庭收支.csv');
    expect(lt).toContain('偵測：Big5，宣告：Big5');
    expect(loaded.body).toMatch(/load-ready">已載入<\/span><\/td><td>3<\/td>/);
    expect(lt).toContain('等待審查核准');
    expect(lt).toContain('contact 先生');
    expect(loaded.body).toContain(`/api/v1/resources/${encodeURIComponent(d.rid)}/file?version=1`);
    // The reader's issues, where they are: the title rows above the header and the notes below.
    expect(lt).toContain('第 1 版讀檔時發現的問題');
    expect(loaded.body).toMatch(/class="issue issue-(warning|error)"/);
    // The dictionary: every column with its inferred type.
    expect(lt).toContain('年月');
    expect(lt).toContain('系統推斷：日期');
    expect(lt).toContain('系統推斷：整數');
    // The status page shows the current version.
    const st = pageText((await get(`/manage/datasets/${d.name}`)).body);
    expect(st).toContain('第 1 版（共 1 版）');
    expect(st).toContain('已載入 3 筆');

    // In English too.
    const en = pageText((await get(`/manage/datasets/${d.name}/resources/${d.rid}?lang=en`)).body);
    expect(en).toContain('All versions');
    expect(en).toContain('detected: Big5, declared: Big5');
    expect(en).toContain('loaded 3 waiting for approval');
    expect(en).toContain('Inferred: date');
  });

  it('the dictionary form: a bad code line is named, a type the data does not fit is refused at its column, values kept; a good edit goes to 主要欄位說明 and a type change reloads', async () => {
    const d = await draft();
    await uploadForm(d.name, d.rid, { value: big5, filename: 'a.csv' });
    await t.services.jobs.runPending();
    const url = `/manage/datasets/${d.name}/resources/${d.rid}`;
    const form = dictionaryForm((await get(url)).body);
    expect(form['c0.name']).toBe('年月');
    expect(form['c0.type']).toBe('date');
    expect(form['c1.type']).toBe('integer');

    // Code meanings: the second line is not code=meaning.
    const bad = await postForm(`${url}/dictionary`, { ...form, 'c1.title': '可支配所得（元）', 'c1.codes': '1=有\n沒有等號\n' });
    expect(bad.statusCode).toBe(400);
    const bt = pageText(bad.body);
    expect(bt).toContain('代碼意義第 2 行「沒有等號」不是「代碼=意義」的格式');
    expect(bad.body).toContain('href="#col-1-codes"');
    expect(controlValue(bad.body, 'col-1-title')).toBe('可支配所得（元）');
    expect(controlValue(bad.body, 'col-1-codes')).toBe('1=有\n沒有等號\n');

    // A type the data does not fit: 年月 holds 2024-01 …, not integers.
    const misfit = await postForm(`${url}/dictionary`, { ...form, 'c0.type': 'integer', 'c0.title': '年月份' });
    expect(misfit.statusCode).toBe(422);
    expect(misfit.body).toContain('id="col-0-type-error" class="field-error">欄位「年月」有不是整數的值「2024-01」（第 1 筆），不能改為整數。');
    expect(misfit.body).toContain('href="#col-0-type"');
    expect(controlValue(misfit.body, 'col-0-title')).toBe('年月份');
    expect(misfit.body).toMatch(/<select id="col-0-type"[\s\S]*?<option value="integer" selected/);
    // Nothing was stored.
    const cols = await t.services.datastore.columns((await t.services.datastore.versions(d.rid))[0].id);
    expect(cols.map((c) => [c.name, c.type, c.title])).toEqual([
      ['年月', 'date', null],
      ['可支配所得', 'integer', null],
      ['消費支出', 'integer', null],
      ['儲蓄率', 'percent', null],
    ]);
    const en = await postForm(`${url}/dictionary?lang=en`, { ...form, 'c0.type': 'integer' });
    expect(pageText(en.body)).toContain('Column “年月” holds “2024-01” (row 1), which is not integer');

    // Saved: titles, unit and codes; the message says it goes through review.
    const ok = await postForm(`${url}/dictionary`, { ...form, 'c0.title': '年月份', 'c1.unit': '元', 'c1.codes': '-=無資料' });
    expect(ok.statusCode, ok.body).toBe(303);
    expect(ok.headers.location).toContain('done=dictionary');
    const after = await get(String(ok.headers.location));
    expect(pageText(after.body)).toContain('「主要欄位說明」的修改會隨資料集送審');
    expect(controlValue(after.body, 'col-0-title')).toBe('年月份');
    expect(controlValue(after.body, 'col-1-codes')).toBe('-=無資料');
    const stored = await t.services.catalogue.get(d.id, { includeNonPublic: true });
    expect(stored.fields?.[0]).toMatchObject({ name: '年月', title: '年月份' });
    expect(stored.fields?.[1]).toMatchObject({ name: '可支配所得', description: '單位：元', codes: [{ code: '-', meaning: '無資料' }] });

    // A type change that fits (integer → decimal) reloads in the background.
    const again = dictionaryForm(after.body);
    const reload = await postForm(`${url}/dictionary`, { ...again, 'c2.type': 'decimal' });
    expect(reload.statusCode).toBe(303);
    expect(reload.headers.location).toContain('done=dictionaryReload');
    const during = pageText((await get(String(reload.headers.location))).body);
    expect(during).toContain('型別的變更正在背景重新載入資料表');
    expect(during).toContain('第 1 版載入進度');
    await t.services.jobs.runPending();
    const cols2 = await t.services.datastore.columns((await t.services.datastore.versions(d.rid))[0].id);
    expect(cols2.find((c) => c.name === '消費支出')?.type).toBe('decimal');
    expect(cols2.find((c) => c.name === '年月')?.title).toBe('年月份');
  });

  it('refusals change nothing: who may not upload, too large, no file, a bad encoding, under review; a wrong or missing CSRF token stores nothing', async () => {
    const d = await draft();
    const before = storedFiles(t.dir);
    const versions = async () => (await t.services.datastore.versions(d.rid)).length;
    const file = { value: big5, filename: 'x.csv' };

    // The reviewer sees the section but not the form; the service refuses the post.
    const rs = await get(`/manage/datasets/${d.name}`, 'reviewer');
    expect(pageText(rs.body)).toContain('資料檔');
    expect(rs.body).not.toContain('enctype="multipart/form-data"');
    const refused = await uploadForm(d.name, d.rid, file, { who: 'reviewer' });
    expect(refused.statusCode).toBe(403);
    expect(pageText(refused.body)).toContain('有 1 個問題需要修正');
    expect(refused.body).not.toContain('href="#upload-0-file"');
    expect(pageText(refused.body)).toContain('要上傳的檔案：您沒有權限編修資料集');
    // Another unit does not see the draft at all.
    expect((await uploadForm(d.name, d.rid, file, { who: 'other' })).statusCode).toBe(404);
    expect((await get(`/manage/datasets/${d.name}/resources/${d.rid}`, 'other')).statusCode).toBe(404);
    // Not signed in: the sign-in wall.
    const anon = multipart([{ name: 'file', value: big5, filename: 'x.csv' }]);
    const a = await t.app.inject({ method: 'POST', url: `/manage/datasets/${d.name}/resources/${d.rid}/upload`, ...anon });
    expect(a.statusCode).toBe(303);
    expect(a.headers.location).toMatch(/^\/signin\?next=/);

    // Too large: the status page again with the limit, in both languages.
    const big = await uploadForm(d.name, d.rid, { value: Buffer.alloc(150_000, 0x41), filename: 'big.csv' });
    expect(big.statusCode).toBe(413);
    expect(pageText(big.body)).toContain('檔案超過上限 98 KB');
    expect(big.body).toContain('href="#upload-0-file"');
    const bigEn = await uploadForm(d.name, d.rid, { value: Buffer.alloc(150_000, 0x41), filename: 'big.csv' }, { lang: 'en' });
    expect(pageText(bigEn.body)).toContain('The file is larger than the limit of 98 KB');
    // No file chosen.
    const none = await uploadForm(d.name, d.rid, null);
    expect(none.statusCode).toBe(400);
    expect(pageText(none.body)).toContain('請選擇要上傳的檔案。');
    // An encoding that is not offered; the choice is not echoed, the form says what to do.
    const enc = await uploadForm(d.name, d.rid, file, { encoding: 'EBCDIC' });
    expect(enc.statusCode).toBe(400);
    expect(pageText(enc.body)).toContain('請從清單中選擇編碼。');
    expect(enc.body).toContain('href="#upload-0-encoding"');
    // Wrong and missing CSRF tokens: refused before a byte is stored.
    const wrong = await uploadForm(d.name, d.rid, file, { csrf: `${s.contact.csrf}x` });
    expect(wrong.statusCode).toBe(403);
    expect(wrong.body).toContain('_csrf');
    expect((await uploadForm(d.name, d.rid, file, { csrf: null })).statusCode).toBe(403);
    // The token after the file (a hand-made form): the file has gone by before the token could be checked, so it is not kept.
    const late = multipart([{ name: 'file', value: big5, filename: 'x.csv' }, { name: '_csrf', value: s.contact.csrf }]);
    const lateRes = await t.app.inject({ method: 'POST', url: `/manage/datasets/${d.name}/resources/${d.rid}/upload`, headers: { ...late.headers, cookie: s.contact.cookie }, payload: late.payload });
    expect(lateRes.statusCode).toBe(400);
    expect(pageText(lateRes.body)).toContain('請選擇要上傳的檔案。');
    // A token of another session is no better.
    expect((await uploadForm(d.name, d.rid, file, { csrf: s.reviewer.csrf })).statusCode).toBe(403);

    expect(storedFiles(t.dir)).toEqual(before);
    expect(await versions()).toBe(0);

    // Under review: the form is hidden and the post answers 409 on the status page.
    await t.services.review.submit(contact, d.id);
    const sub = await get(`/manage/datasets/${d.name}`);
    expect(sub.body).not.toContain('enctype="multipart/form-data"');
    const review = await uploadForm(d.name, d.rid, file);
    expect(review.statusCode).toBe(409);
    expect(pageText(review.body)).toContain('資料集正在審查中');
    expect(storedFiles(t.dir)).toEqual(before);
    expect(await versions()).toBe(0);
    // The dictionary of a dataset without a table: the page says so.
    const dict = await postForm(`/manage/datasets/${d.name}/resources/${d.rid}/dictionary`, { version: '1', columnCount: '0' });
    expect(dict.statusCode).toBe(409);
    await t.services.review.returnForChanges(reviewer, d.id, '請補上資料檔');
  });

  it('a load that fails: the reason in the page language with where it happened, and what to do; an earlier table stays in use', async () => {
    const d = await draft();
    const url = `/manage/datasets/${d.name}/resources/${d.rid}`;
    // Binary bytes in a CSV resource: the reader refuses them.
    const binary = Buffer.from([0x50, 0x4b, 0x03, 0x04, 0xff, 0x00, 0x13, 0x37]);
    expect((await uploadForm(d.name, d.rid, { value: binary, filename: 'broken.csv' })).statusCode).toBe(303);
    await t.services.jobs.runPending();
    const zh = pageText((await get(url)).body);
    expect(zh).toContain('第 1 版無法載入');
    expect(zh).toContain('檔案含有二進位內容（NUL 位元組），不是文字檔 CSV（第 1 行）');
    expect(zh).toContain('資料庫中沒有留下任何不完整的資料。');
    expect(zh).toContain('再上傳為新版本');
    expect(zh).toContain('檔案載入資料庫後才能編修資料字典。');
    const en = pageText((await get(`${url}?lang=en`)).body);
    expect(en).toContain('Version 1 could not be loaded');
    expect(en).toContain('the file holds binary content (NUL bytes): it is not a text CSV (line 1)');
    expect(en).toContain('upload it again as a new version');
    // The status page names the failure too.
    expect(pageText((await get(`/manage/datasets/${d.name}`)).body)).toContain('載入失敗');

    // A good version, then a broken one: the good table stays in use, and the page says so.
    await uploadForm(d.name, d.rid, { value: big5, filename: 'good.csv' });
    await uploadForm(d.name, d.rid, { value: Buffer.from('a,b\n"unterminated,2\n'), filename: 'quote.csv' });
    await t.services.jobs.runPending();
    const page = pageText((await get(url)).body);
    expect(page).toContain('第 3 版無法載入');
    expect(page).toContain('無法剖析 CSV');
    expect(page).toContain('先前已載入的版本仍繼續提供查詢與下載。');
    expect(page).toContain('第 2 版讀檔時發現的問題');
    expect(page).toContain('儲存資料字典');
  });

  it('a printed-report file is refused saying what to do; uploaded again with its header lines it loads; a mistyped header line is refused at its control, nothing stored', async () => {
    const d = await draft();
    const url = `/manage/datasets/${d.name}/resources/${d.rid}`;
    // A budget table: title, a header over two lines (本年度 / 上年度 over 金額 and %), data.
    const report = Buffer.from(
      ['113年度總預算 收支簡明比較表,,,,', ',本年度,,上年度,', '項目,金額,%,金額,%', '歲入,3000,60,2800,59', '歲出,2000,40,1950,41', '餘絀,1000,20,850,18'].join('\n'),
    );
    expect((await uploadForm(d.name, d.rid, { value: report, filename: 'report.csv' })).statusCode).toBe(303);
    await t.services.jobs.runPending();
    // Found on its own: line 3 is a one-line header, repeated 金額 and % renamed — loadable as it is.
    const first = (await t.services.datastore.versions(d.rid))[0];
    expect(first.datastore_state).toBe('ready');
    // With the header lines given, the two lines join per column.
    expect((await uploadForm(d.name, d.rid, { value: report, filename: 'report.csv' }, { header: '2-3' })).statusCode).toBe(303);
    await t.services.jobs.runPending();
    const cols = await t.services.datastore.columns((await t.services.datastore.versions(d.rid))[0].id);
    expect(cols.map((c) => c.name)).toEqual(['項目', '本年度 金額', '本年度 %', '上年度 金額', '上年度 %']);
    expect(pageText((await get(url)).body)).toContain('表頭：第 2-3 行');
    // A report whose header is numbers (the real header is elsewhere): refused with what to do.
    const numbers = Buffer.from(['總表,,,', ',3000,2800,2600', '歲入,1,2,3', '歲出,4,5,6', '餘絀,7,8,9'].join('\n'));
    await uploadForm(d.name, d.rid, { value: numbers, filename: 'numbers.csv' });
    await t.services.jobs.runPending();
    const failed = pageText((await get(url)).body);
    expect(failed).toContain('此檔看來是報表版面而不是資料表');
    expect(failed).toContain('或在上傳時指定表頭所在的行號');
    // A mistyped header line: the form again with the message at its control; nothing stored.
    const before = (await t.services.datastore.versions(d.rid)).length;
    const bad = await uploadForm(d.name, d.rid, { value: report, filename: 'report.csv' }, { header: '第二行' });
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toMatch(/id="upload-0-header"[^>]*aria-invalid="true"|aria-invalid="true"[^>]*id="upload-0-header"/);
    expect(pageText(bad.body)).toContain('表頭列「第二行」的寫法不對');
    expect(controlValue(bad.body, 'upload-0-header')).toBe('第二行');
    expect(await t.services.datastore.versions(d.rid)).toHaveLength(before);
  });

  it('XSS: hostile file names, column names, dictionary entries, issue texts, failure reasons and progress stay text on every new page, in both languages', async () => {
    const { users, uploads, jobs, datastore, db } = t.services;
    await users.create({ email: 'evil@bo.test', name: `惡意 ${ALL}`, unit: 'statistics', role: 'contact', password: PASSWORD });
    const evilUser = (await users.findByEmail('evil@bo.test')) as User;
    const evil = await signInSession(t.app, 'evil@bo.test', PASSWORD, '/manage');
    const { id } = await t.services.review.createDraft(
      evilUser,
      hostileInput(ALL, { resources: [{ name: `資源 ${ALL} 止`, description: `資源描述 ${ALL} 止`, format: 'CSV', encoding: 'UTF-8', downloadUrl: 'https://example.gov.tw/h.csv' }] }),
    );
    const d = await t.services.catalogue.get(id, { includeNonPublic: true });
    const rid = d.resources[0].resourceId;
    const q = (v: string) => `"${v.replace(/"/g, '""')}"`;
    const csv = `${HOSTILE.map((h, i) => q(`c${i} ${h} 止`)).join(',')}\n${HOSTILE.map((_, i) => String(i)).join(',')}\n`;
    await uploads.upload(evilUser, id, rid, { source: Readable.from([Buffer.from(csv)]), fileName: `${ALL}.csv`, mediaType: 'text/csv' });
    await jobs.runPending();
    const [v1] = await datastore.versions(rid);
    expect(v1.datastore_state).toBe('ready');
    const first = (await datastore.columns(v1.id))[0].name;
    expect(first).toContain('<script>');
    await uploads.updateDictionary(evilUser, rid, [{ name: first, title: `標題 ${ALL} 止`, description: `說明 ${ALL} 止`, unit: `單位 ${ALL} 止`, codes: [{ code: `c${ALL}`, meaning: `意義 ${ALL} 止` }] }]);
    await db.kysely
      .updateTable('resource_versions')
      .set({ read_issues_json: JSON.stringify([{ level: 'warning', line: 2, column: `欄 ${ALL} 止`, sheet: `表 ${ALL} 止`, zh: `注意 ${ALL} 止`, en: `note ${ALL} 止` }]), encoding_declared: `enc ${ALL} 止` })
      .where('id', '=', v1.id)
      .execute();
    // A second version that failed, with a hostile reason; its load job retrying with a hostile error, then running with a hostile phase.
    const up2 = await uploads.upload(evilUser, id, rid, { source: Readable.from([Buffer.from([0, 1, 2])]), fileName: `二 ${ALL}.csv`, mediaType: 'text/csv' });
    await db.kysely.updateTable('resource_versions').set({ datastore_state: 'failed', datastore_error: `失敗 ${ALL} / failed ${ALL} (line 3, column ${ALL})` }).where('id', '=', up2.versionId).execute();
    await db.kysely.updateTable('jobs').set({ state: 'queued', attempts: 1, error: `錯誤 ${ALL} / error ${ALL}`, run_after: '2999-01-01T00:00:00.000Z' }).where('id', '=', up2.jobId ?? '').execute();

    const base = `/manage/datasets/${encodeURIComponent(d.name)}`;
    const page = `${base}/resources/${encodeURIComponent(rid)}`;
    const clean = (html: string, label: string) => expect(markupProblems(html), label).toEqual([]);
    // pageText collapses white space, U+2028/U+2029 included.
    const w = (x: string) => x.replace(/\s+/g, ' ');
    for (const lang of ['zh-TW', 'en']) {
      const ql = `?lang=${lang}`;
      const status = await t.app.inject({ method: 'GET', url: `${base}${ql}`, headers: { cookie: evil.cookie } });
      expect(status.statusCode).toBe(200);
      clean(status.body, `status ${lang}`);
      expect(pageText(status.body)).toContain(w(`二 ${ALL}.csv`));
      expect(pageText(status.body)).toContain(w(`惡意 ${ALL}`));
      for (const url of [`${page}${ql}`, `${page}${ql}&follow=1`]) {
        const res = await t.app.inject({ method: 'GET', url, headers: { cookie: evil.cookie } });
        expect(res.statusCode).toBe(200);
        clean(res.body, url);
        const text = pageText(res.body);
        for (const want of [`${ALL}.csv`, `標題 ${ALL} 止`, `欄 ${ALL} 止`, `表 ${ALL} 止`, `enc ${ALL} 止`, lang === 'en' ? `note ${ALL} 止` : `注意 ${ALL} 止`, lang === 'en' ? `failed ${ALL}` : `失敗 ${ALL}`, lang === 'en' ? `error ${ALL}` : `錯誤 ${ALL}`]) expect(text, `${url}: ${want}`).toContain(w(want));
      }
      await db.kysely.updateTable('jobs').set({ state: 'running', progress: JSON.stringify({ phase: `階段 ${ALL}`, rows: 5 }) }).where('id', '=', up2.jobId ?? '').execute();
      const running = await t.app.inject({ method: 'GET', url: `${page}${ql}`, headers: { cookie: evil.cookie } });
      clean(running.body, `running ${lang}`);
      expect(pageText(running.body)).toContain(w(`階段 ${ALL}`));
      await db.kysely.updateTable('jobs').set({ state: 'queued', progress: null }).where('id', '=', up2.jobId ?? '').execute();
      // The dictionary form sent back with hostile values and a bad code line: echoed as text.
      const form = dictionaryForm((await t.app.inject({ method: 'GET', url: `${page}${ql}`, headers: { cookie: evil.cookie } })).body);
      const bad = await t.app.inject({
        method: 'POST',
        url: `${page}/dictionary${ql}`,
        headers: { cookie: evil.cookie, 'content-type': 'application/x-www-form-urlencoded' },
        payload: new URLSearchParams({ ...form, _csrf: evil.csrf, 'c1.title': `新 ${ALL} 止`, 'c1.codes': `${ALL.replace(/=/g, '')}` }).toString(),
      });
      expect(bad.statusCode).toBe(400);
      clean(bad.body, `dictionary errors ${lang}`);
      expect(decode(/id="col-1-title" name="c1\.title" value="([^"]*)"/.exec(bad.body)?.[1] ?? '')).toBe(`新 ${ALL} 止`);
      // The upload form refused (an encoding not offered, too large): the status page with the message.
      const m = multipart([{ name: '_csrf', value: evil.csrf }, { name: 'encoding', value: ALL }, { name: 'file', value: Buffer.from('a\n1\n'), filename: 'x.csv' }]);
      const refused = await t.app.inject({ method: 'POST', url: `${base}/resources/${encodeURIComponent(rid)}/upload${ql}`, headers: { ...m.headers, cookie: evil.cookie }, payload: m.payload });
      expect(refused.statusCode).toBe(400);
      clean(refused.body, `upload refused ${lang}`);
    }
  });
});
