import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { openDb } from '../../db/index.ts';
import { engines, makeApp } from '../../../test/helpers/env.ts';
import { startSmtp, type TestSmtp } from '../../../test/helpers/smtp.ts';
import type { User } from '../users/users.service.ts';
import { MailSender } from './mail.sender.ts';
import { approvalToContact, decisionToRequester, discontinuationToHead, returnToContact, submissionToReviewer } from './notifications.templates.ts';

const link = 'http://portal.test/manage/datasets/x';

describe('notification templates', () => {
  it('produce a subject and text in zh-TW and English for every workflow event', () => {
    const all = [
      submissionToReviewer({ title: '物價指數', link, submitter: '王小明' }),
      approvalToContact({ title: '物價指數', link, reviewer: '李科長' }),
      returnToContact({ title: '物價指數', link, reviewer: '李科長', comment: '請補欄位說明' }),
      discontinuationToHead({ title: '物價指數', link, proposer: '王小明', reason: '調查停辦' }),
      decisionToRequester({ title: '物價指數', link, approved: false, decider: '處長', comment: '仍有需求' }),
    ];
    for (const m of all) {
      expect(m['zh-TW'].subject).toContain('物價指數');
      expect(m['zh-TW'].text).toContain(link);
      expect(m.en.text).toContain(link);
      expect(m.en.subject).toMatch(/[A-Za-z]/);
    }
    expect(all[2]['zh-TW'].text).toContain('請補欄位說明');
    expect(all[2].en.text).toContain('請補欄位說明');
    expect(all[4].en.subject).toBe('Request declined: 物價指數');
  });
});

describe.each(engines)('notifications and mail (%s)', (engine) => {
  let smtp: TestSmtp;
  let t: Awaited<ReturnType<typeof makeApp>>;
  let reviewer: User;
  let contact: User;

  beforeAll(async () => {
    smtp = await startSmtp();
  });
  afterAll(async () => {
    await smtp.close();
  });

  beforeEach(async () => {
    smtp.received.length = 0;
    smtp.refuse = undefined;
    t = await makeApp(engine, { SMTP_URL: smtp.url, KAIFANG_MAIL_FROM: 'Kaifang <open@portal.test>', KAIFANG_MAIL_MAX_ATTEMPTS: '3', KAIFANG_MAIL_RETRY_SECONDS: '60' });
    const users = t.services.users;
    reviewer = await users.create({ email: 'reviewer@portal.test', name: '李科長', unit: 'statistics', role: 'reviewer' });
    contact = await users.create({ email: 'contact@portal.test', name: 'Amy Wang', unit: 'statistics', role: 'contact' });
    await t.services.db.kysely.updateTable('users').set({ lang: 'en' }).where('id', '=', contact.id).execute();
  });
  afterEach(async () => {
    await t.cleanup();
  });

  /** Stands for a workflow action: a change and its notifications in one transaction. */
  const submitAndReturn = () =>
    t.services.db.kysely.transaction().execute(async (trx) => {
      await t.services.notifications.notify(trx, { userIds: [reviewer.id], kind: 'review.submitted', message: submissionToReviewer({ title: '消費者物價指數', link, submitter: 'Amy Wang' }), link });
      await t.services.notifications.notify(trx, { userIds: [contact.id], kind: 'review.returned', message: returnToContact({ title: '消費者物價指數', link, reviewer: '李科長', comment: '請補充欄位說明。' }), link });
    });

  const sender = () => new MailSender(t.services.db, t.services.config.mail);

  it('sends each user the mail in their language, and fills their inbox', async () => {
    await submitAndReturn();
    const r = await sender().sendPending();
    expect(r).toMatchObject({ sent: 2, retrying: 0, gaveUp: 0 });
    const toReviewer = smtp.received.find((m) => m.to.includes('reviewer@portal.test'));
    const toContact = smtp.received.find((m) => m.to.includes('contact@portal.test'));
    expect(toReviewer?.subject).toBe('待審查：消費者物價指數');
    expect(toReviewer?.text).toContain('Amy Wang 已送出資料集「消費者物價指數」，等待您審查。');
    expect(toReviewer?.from).toBe('open@portal.test');
    expect(toContact?.subject).toBe('Returned with comments: 消費者物價指數');
    expect(toContact?.text).toContain('returned the dataset "消費者物價指數" with this comment:\n\n請補充欄位說明。');

    // Sent once: a second run finds nothing due.
    expect((await sender().sendPending()).sent).toBe(0);
    expect(smtp.received).toHaveLength(2);

    const token = (await t.services.users.createToken('contact@portal.test')).token;
    const inbox = await t.app.inject({ url: '/api/v1/me/notifications', headers: { authorization: `Bearer ${token}` } });
    expect(inbox.statusCode).toBe(200);
    const body = inbox.json<{ notifications: { id: string; kind: string; title: string; titleEn: string; body: string; readAt: string | null }[]; unread: number }>();
    expect(body.unread).toBe(1);
    expect(body.notifications[0]).toMatchObject({ kind: 'review.returned', title: '退回修改：消費者物價指數', titleEn: 'Returned with comments: 消費者物價指數', readAt: null });
    expect(body.notifications[0].body).toContain('請補充欄位說明。');

    const id = body.notifications[0].id;
    const read = await t.app.inject({ method: 'POST', url: `/api/v1/me/notifications/${id}/read`, headers: { authorization: `Bearer ${token}` } });
    expect(read.statusCode).toBe(200);
    expect(read.json<{ readAt: string | null }>().readAt).not.toBeNull();
    const after = await t.app.inject({ url: '/api/v1/me/notifications?unread=true', headers: { authorization: `Bearer ${token}` } });
    expect(after.json<{ notifications: unknown[]; unread: number }>()).toMatchObject({ notifications: [], unread: 0 });

    // Someone else's notification is not found, and without a token the inbox is 401.
    const other = (await t.services.users.createToken('reviewer@portal.test')).token;
    const foreign = await t.app.inject({ method: 'POST', url: `/api/v1/me/notifications/${id}/read`, headers: { authorization: `Bearer ${other}` } });
    expect(foreign.statusCode).toBe(404);
    const anonymous = await t.app.inject({ url: '/api/v1/me/notifications' });
    expect(anonymous.statusCode).toBe(401);
    expect(anonymous.json<{ error: { code: string } }>().error.code).toBe('UNAUTHENTICATED');
  });

  it('keeps the action when the server refuses, retries with backoff, and gives up after the last attempt', async () => {
    smtp.refuse = 'mailbox unavailable';
    await submitAndReturn(); // the action commits although no mail can go out
    expect(await t.services.notifications.inbox(reviewer.id)).toHaveLength(1);

    const start = new Date();
    const first = await sender().sendPending({ now: start });
    expect(first).toMatchObject({ sent: 0, retrying: 2 });
    const rows = await t.services.db.kysely.selectFrom('outbox').selectAll().orderBy('to_address').execute();
    for (const row of rows) {
      expect(row).toMatchObject({ status: 'pending', attempts: 1 });
      expect(row.last_error).toContain('mailbox unavailable');
      expect(Date.parse(row.next_attempt_at) - start.getTime()).toBe(60_000);
    }
    // Not due yet: nothing is tried.
    expect((await sender().sendPending({ now: new Date(start.getTime() + 30_000) })).retrying).toBe(0);
    // Second failure waits twice as long.
    await sender().sendPending({ now: new Date(start.getTime() + 61_000) });
    const second = await t.services.db.kysely.selectFrom('outbox').select(['attempts', 'next_attempt_at']).executeTakeFirstOrThrow();
    expect(second.attempts).toBe(2);
    expect(Date.parse(second.next_attempt_at) - (start.getTime() + 61_000)).toBe(120_000);

    // The server recovers: the retry goes out once.
    smtp.refuse = undefined;
    const third = await sender().sendPending({ now: new Date(start.getTime() + 200_000) });
    expect(third.sent).toBe(2);
    expect(smtp.received.map((m) => m.subject).sort()).toEqual(['Returned with comments: 消費者物價指數', '待審查：消費者物價指數']);

    // With a server that keeps refusing, the third attempt is the last (KAIFANG_MAIL_MAX_ATTEMPTS=3).
    smtp.refuse = 'no such user';
    await submitAndReturn();
    let clock = start.getTime() + 300_000;
    for (let i = 0; i < 3; i++) {
      await sender().sendPending({ now: new Date(clock) });
      clock += 3_600_000;
    }
    const failed = await t.services.db.kysely.selectFrom('outbox').selectAll().where('status', '=', 'failed').execute();
    expect(failed).toHaveLength(2);
    for (const f of failed) {
      expect(f.attempts).toBe(3);
      expect(f.last_error).toContain('no such user');
    }
    expect((await sender().sendPending({ now: new Date(clock + 86_400_000) })).retrying).toBe(0);
  });

  it('sends each message exactly once when two senders run at the same time', async () => {
    const others = await Promise.all(
      Array.from({ length: 12 }, (_, i) => t.services.users.create({ email: `u${i}@portal.test`, name: `User ${i}`, unit: 'statistics', role: 'contact' })),
    );
    await t.services.db.kysely.transaction().execute((trx) =>
      t.services.notifications.notify(trx, { userIds: others.map((u) => u.id), kind: 'review.approved', message: approvalToContact({ title: '家庭收支', link, reviewer: '李科長' }) }),
    );
    // Two app instances: the second has its own database connection(s).
    const secondDb = openDb(t.databaseUrl);
    const a = sender();
    const b = new MailSender(secondDb, t.services.config.mail);
    const [ra, rb] = await Promise.all([a.sendPending({ batchSize: 3 }), b.sendPending({ batchSize: 3 })]).finally(() => secondDb.destroy());
    expect(ra.sent + rb.sent).toBe(12);
    const recipients = smtp.received.flatMap((m) => m.to).sort();
    expect(recipients).toEqual(others.map((u) => u.email).sort());
    expect(new Set(recipients).size).toBe(12);
  });

  it('refuses to queue outside the transaction of the event', async () => {
    await expect(
      t.services.notifications.notify(t.services.db.kysely, { userIds: [reviewer.id], kind: 'review.submitted', message: submissionToReviewer({ title: 'T', link, submitter: 'S' }) }),
    ).rejects.toThrow(/inside the transaction/);
  });

  it('leaves mail in the outbox when no SMTP server is configured', async () => {
    const quiet = await makeApp(engine);
    try {
      const u = await quiet.services.users.create({ email: 'x@portal.test', name: 'X', unit: 'statistics', role: 'reviewer' });
      await quiet.services.db.kysely.transaction().execute((trx) =>
        quiet.services.notifications.notify(trx, { userIds: [u.id], kind: 'review.submitted', message: submissionToReviewer({ title: 'T', link, submitter: 'S' }) }),
      );
      const r = await new MailSender(quiet.services.db, quiet.services.config.mail).sendPending();
      expect(r.notConfigured).toBe(true);
      const row = await quiet.services.db.kysely.selectFrom('outbox').selectAll().executeTakeFirstOrThrow();
      expect(row).toMatchObject({ status: 'pending', attempts: 0, to_address: 'x@portal.test' });
    } finally {
      await quiet.cleanup();
    }
  });
});
