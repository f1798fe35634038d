import { randomUUID } from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import type { Db } from '../../db/index.ts';
import type { Database, JobsTable } from '../../db/types.ts';

export type JobRow = JobsTable;

/** What a job's handler gets: its payload, and a way to report progress (shown to the contact). */
export type JobHandler = (payload: unknown, progress: (p: Record<string, unknown>) => Promise<void>) => Promise<void>;

/** A running job is not claimed again for this long (a worker that died gives it back). */
const LEASE_MS = 30 * 60_000;
const MAX_ATTEMPTS = 3;

/**
 * Background work: a table of jobs claimed by one atomic UPDATE (over `FOR UPDATE SKIP LOCKED` on
 * PostgreSQL), so several instances can share the queue and each job runs once. Handlers are
 * idempotent (a datastore load of the same version simply loads again). Failed jobs are retried up
 * to three times, then stay `failed` with their error.
 */
export class JobService {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<unknown> | undefined;

  constructor(
    private readonly db: Db,
    private readonly handlers: Record<string, JobHandler> = {},
  ) {}

  register(kind: string, handler: JobHandler): void {
    this.handlers[kind] = handler;
  }

  /** Queues a job, in the caller's transaction when given (the job exists only if the work it follows commits). */
  async enqueue(kind: string, payload: unknown, trx: Kysely<Database> = this.db.kysely): Promise<string> {
    const id = randomUUID();
    const ts = new Date().toISOString();
    await trx.insertInto('jobs').values({ id, kind, payload_json: JSON.stringify(payload), state: 'queued', progress: null, attempts: 0, run_after: ts, created_at: ts, started_at: null, finished_at: null, error: null }).execute();
    return id;
  }

  async get(id: string): Promise<JobRow | undefined> {
    return this.db.kysely.selectFrom('jobs').selectAll().where('id', '=', id).executeTakeFirst();
  }

  /**
   * The newest job of `kind` whose payload has `key` equal to `value` (e.g. the load of a version),
   * so a page can show its progress without keeping the job's id.
   */
  async latestFor(kind: string, key: string, value: string): Promise<JobRow | undefined> {
    // Payloads are written by enqueue() as JSON.stringify, so the pair appears exactly like this.
    const pair = JSON.stringify({ [key]: value }).slice(1, -1).replace(/[\\%_]/g, (c) => `\\${c}`);
    return this.db.kysely
      .selectFrom('jobs')
      .selectAll()
      .where('kind', '=', kind)
      .where(sql<boolean>`payload_json like ${`%${pair}%`} escape '\\'`)
      .orderBy('created_at', 'desc')
      .orderBy('id', 'desc')
      .limit(1)
      .executeTakeFirst();
  }

  private async claim(): Promise<JobRow | undefined> {
    const now = new Date();
    const lock = this.db.engine === 'postgres' ? sql`for update skip locked` : sql``;
    const lease = new Date(now.getTime() + LEASE_MS).toISOString();
    const r = await sql<JobRow>`
      update jobs set state = 'running', attempts = attempts + 1, started_at = ${now.toISOString()}, run_after = ${lease}
      where id in (select id from jobs where (state = 'queued' or state = 'running') and run_after <= ${now.toISOString()} order by run_after, id limit 1 ${lock})
      returning *`.execute(this.db.kysely);
    return r.rows[0];
  }

  /** Runs due jobs one after another until none is left; returns how many ran. */
  async runPending(): Promise<number> {
    let ran = 0;
    for (;;) {
      const job = await this.claim();
      if (!job) return ran;
      ran++;
      const handler = this.handlers[job.kind];
      const k = this.db.kysely;
      try {
        if (!handler) throw new Error(`no handler for job kind ${job.kind}`);
        await handler(JSON.parse(job.payload_json) as unknown, async (p) => {
          await k.updateTable('jobs').set({ progress: JSON.stringify(p) }).where('id', '=', job.id).execute();
        });
        await k.updateTable('jobs').set({ state: 'done', finished_at: new Date().toISOString(), error: null }).where('id', '=', job.id).execute();
      } catch (err) {
        const message = err instanceof Error ? err.message : String(err);
        const attempts = Number(job.attempts);
        // A file that cannot be read will not read better next time: no retry for those.
        const final = attempts >= MAX_ATTEMPTS || (err as { status?: number }).status === 422 || (err as { status?: number }).status === 409;
        await k
          .updateTable('jobs')
          .set(final ? { state: 'failed', finished_at: new Date().toISOString(), error: message } : { state: 'queued', run_after: new Date(Date.now() + 60_000 * attempts).toISOString(), error: message })
          .where('id', '=', job.id)
          .execute();
      }
    }
  }

  /** Runs due jobs every `intervalMs` until stop(); one run at a time. */
  start(intervalMs = 2000): void {
    if (this.timer) return;
    this.timer = setInterval(() => {
      if (this.running) return;
      this.running = this.runPending()
        .catch(() => undefined)
        .finally(() => {
          this.running = undefined;
        });
    }, intervalMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.running;
  }
}
