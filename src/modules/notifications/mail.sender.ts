import { sql } from 'kysely';
import nodemailer, { type Transporter } from 'nodemailer';
import type { MailConfig } from '../../config.ts';
import type { Db } from '../../db/index.ts';
import type { OutboxRow } from '../../db/types.ts';

export interface SendReport {
  sent: number;
  /** Failed this time, to be retried later. */
  retrying: number;
  /** Failed for the last allowed time; left in the outbox with status failed. */
  gaveUp: number;
  /** No SMTP configured: nothing was tried. */
  notConfigured: boolean;
}

interface Log {
  info(msg: string): void;
  warn(msg: string): void;
}

/** A claimed message is not claimed again for this long (a sender that died mid-send gives it back). */
const LEASE_MS = 10 * 60_000;
const MAX_BACKOFF_MS = 6 * 3600_000;

/**
 * Sends the mail outbox over SMTP. Several instances may run at once: a batch is claimed by one
 * atomic UPDATE (on PostgreSQL over `FOR UPDATE SKIP LOCKED`) that moves the rows' next_attempt_at
 * past a lease and counts the attempt, so no two senders get the same row; mail is sent outside
 * any transaction, so a slow SMTP server never holds a database lock.
 */
export class MailSender {
  private transport: Transporter | undefined;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<unknown> | undefined;

  constructor(
    private readonly db: Db,
    private readonly mail: MailConfig,
    private readonly log: Log = { info: () => undefined, warn: () => undefined },
  ) {}

  private transporter(): Transporter | undefined {
    const smtp = this.mail.smtp;
    if (!smtp) return undefined;
    this.transport ??= nodemailer.createTransport({
      host: smtp.host,
      port: smtp.port,
      secure: smtp.secure,
      auth: smtp.user ? { user: smtp.user, pass: smtp.password ?? '' } : undefined,
      connectionTimeout: 30_000,
      greetingTimeout: 30_000,
      socketTimeout: 60_000,
    });
    return this.transport;
  }

  /** Claims up to `limit` due messages for this sender. */
  private async claim(now: Date, limit: number): Promise<OutboxRow[]> {
    const nowIso = now.toISOString();
    const leaseUntil = new Date(now.getTime() + LEASE_MS).toISOString();
    const lock = this.db.engine === 'postgres' ? sql`for update skip locked` : sql``;
    const r = await sql<OutboxRow>`
      update outbox set attempts = attempts + 1, next_attempt_at = ${leaseUntil}
      where id in (select id from outbox where status = 'pending' and next_attempt_at <= ${nowIso} order by next_attempt_at, id limit ${limit} ${lock})
      returning *`.execute(this.db.kysely);
    return r.rows;
  }

  /** Sends what is due, a batch at a time, until nothing due is left. */
  async sendPending(opts: { now?: Date; batchSize?: number } = {}): Promise<SendReport> {
    const report: SendReport = { sent: 0, retrying: 0, gaveUp: 0, notConfigured: false };
    const transport = this.transporter();
    if (!transport) {
      const waiting = await this.db.kysely.selectFrom('outbox').select((eb) => eb.fn.countAll<number>().as('n')).where('status', '=', 'pending').executeTakeFirst();
      const n = Number(waiting?.n ?? 0);
      if (n > 0) this.log.info(`未設定 SMTP，${n} 封郵件留在寄件匣 / no SMTP configured: ${n} messages stay in the outbox`);
      return { ...report, notConfigured: true };
    }
    const now = opts.now ?? new Date();
    for (;;) {
      const batch = await this.claim(now, opts.batchSize ?? 20);
      if (batch.length === 0) return report;
      for (const m of batch) {
        try {
          await transport.sendMail({ from: this.mail.from, to: m.to_address, subject: m.subject, text: m.body });
          await this.db.kysely.updateTable('outbox').set({ status: 'sent', sent_at: new Date().toISOString(), last_error: null }).where('id', '=', m.id).execute();
          report.sent++;
        } catch (err) {
          const error = err instanceof Error ? err.message : String(err);
          const attempts = Number(m.attempts);
          if (attempts >= this.mail.maxAttempts) {
            await this.db.kysely.updateTable('outbox').set({ status: 'failed', last_error: error }).where('id', '=', m.id).execute();
            this.log.warn(`郵件寄送失敗 ${attempts} 次，不再重試 / gave up on mail ${m.id} to ${m.to_address} after ${attempts} attempts: ${error}`);
            report.gaveUp++;
          } else {
            const delay = Math.min(this.mail.retryBaseSeconds * 1000 * 2 ** (attempts - 1), MAX_BACKOFF_MS);
            const next = new Date(now.getTime() + delay).toISOString();
            await this.db.kysely.updateTable('outbox').set({ next_attempt_at: next, last_error: error }).where('id', '=', m.id).execute();
            this.log.warn(`郵件寄送失敗，將於 ${next} 重試 / mail ${m.id} to ${m.to_address} failed (attempt ${attempts}), retry at ${next}: ${error}`);
            report.retrying++;
          }
        }
      }
    }
  }

  /** Sends due mail every `intervalSeconds` until stop(). One run at a time. */
  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => {
      if (this.running) return;
      this.running = this.sendPending()
        .catch((err: unknown) => this.log.warn(`寄件失敗 mail sender failed: ${err instanceof Error ? err.message : String(err)}`))
        .finally(() => (this.running = undefined));
    }, this.mail.intervalSeconds * 1000);
    this.timer.unref();
  }

  /** Stops the interval and waits for a run in progress. */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.running;
    this.transport?.close();
  }
}
