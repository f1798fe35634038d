import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Database } from '../../db/types.ts';
import { notFound } from '../../errors.ts';
import type { MailLang, Message } from './notifications.templates.ts';

export interface Notification {
  id: string;
  kind: string;
  title: string;
  titleEn: string;
  body: string;
  link: string | null;
  createdAt: string;
  readAt: string | null;
}

export interface NotifyInput {
  userIds: string[];
  /** e.g. review.submitted, review.returned, discontinuation.requested. */
  kind: string;
  /** Subject and text in both languages (a notifications.templates.ts function); the subject is the inbox title. */
  message: Message;
  link?: string;
  /** Also e-mail it (default true). */
  mail?: boolean;
}

export const langOfUser = (lang: string | null | undefined): MailLang => (lang === 'en' ? 'en' : 'zh-TW');

/**
 * The in-app inbox and the mail outbox. `notify` only writes rows, in the caller's transaction:
 * the event and its notifications commit together, and sending mail (MailSender) never blocks it.
 */
export class NotificationService {
  constructor(private readonly db: Kysely<Database>) {}

  /** Adds an inbox entry for each user and queues a mail to each enabled user, in their language. */
  async notify(trx: Kysely<Database>, input: NotifyInput): Promise<void> {
    if (!trx.isTransaction) throw new Error('NotificationService.notify must be called inside the transaction of the event it reports');
    if (input.userIds.length === 0) return;
    const users = await trx.selectFrom('users').select(['id', 'email', 'lang', 'disabled_at']).where('id', 'in', input.userIds).execute();
    const ts = new Date().toISOString();
    for (const u of users) {
      const lang = langOfUser(u.lang);
      await trx
        .insertInto('notifications')
        .values({
          id: randomUUID(),
          user_id: u.id,
          kind: input.kind,
          title: input.message['zh-TW'].subject,
          title_en: input.message.en.subject,
          body: input.message[lang].text,
          link: input.link ?? null,
          created_at: ts,
          read_at: null,
        })
        .execute();
      if (input.mail === false || u.disabled_at) continue;
      await trx
        .insertInto('outbox')
        .values({
          id: randomUUID(),
          to_address: u.email,
          subject: input.message[lang].subject,
          body: input.message[lang].text,
          kind: input.kind,
          created_at: ts,
          status: 'pending',
          attempts: 0,
          next_attempt_at: ts,
          last_error: null,
          sent_at: null,
        })
        .execute();
    }
  }

  /** A user's notifications, newest first. */
  async inbox(userId: string, opts: { unreadOnly?: boolean; limit?: number } = {}): Promise<Notification[]> {
    let q = this.db.selectFrom('notifications').selectAll().where('user_id', '=', userId);
    if (opts.unreadOnly) q = q.where('read_at', 'is', null);
    const rows = await q.orderBy('created_at', 'desc').orderBy('id').limit(opts.limit ?? 100).execute();
    return rows.map((r) => ({ id: r.id, kind: r.kind, title: r.title, titleEn: r.title_en, body: r.body, link: r.link, createdAt: r.created_at, readAt: r.read_at }));
  }

  /** Marks one of the user's notifications read; NOTIFICATION_NOT_FOUND for anyone else's. */
  async markRead(userId: string, id: string): Promise<Notification> {
    await this.db.updateTable('notifications').set({ read_at: new Date().toISOString() }).where('id', '=', id).where('user_id', '=', userId).where('read_at', 'is', null).execute();
    const r = await this.db.selectFrom('notifications').selectAll().where('id', '=', id).where('user_id', '=', userId).executeTakeFirst();
    if (!r) throw notFound('notification', '通知', id);
    return { id: r.id, kind: r.kind, title: r.title, titleEn: r.title_en, body: r.body, link: r.link, createdAt: r.created_at, readAt: r.read_at };
  }
}
