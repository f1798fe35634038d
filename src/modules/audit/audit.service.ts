import { sql, type Kysely } from 'kysely';
import type { Db } from '../../db/index.ts';
import type { AuditRow, Database } from '../../db/types.ts';

import { diffFields, type FieldChange } from './audit.diff.ts';
import { entryHash, GENESIS_HASH } from './audit.hash.ts';

/** Who did it. `id` is a user id, or "system" for imports, the demo load and other jobs. */
export interface Actor {
  id: string;
  label: string;
}

export const SYSTEM_ACTOR: Actor = { id: 'system', label: 'system' };

/** What is recorded: `action` as `<entity>.<verb>` (dataset.create, user.role_add, workflow.submit…). */
export interface AuditEntryInput {
  actor: Actor;
  action: string;
  entityType: string;
  entityId: string;
  before?: unknown;
  after?: unknown;
}

export interface AuditEntry {
  seq: number;
  at: string;
  actorId: string | null;
  actorLabel: string;
  action: string;
  entityType: string;
  entityId: string;
  before: unknown;
  after: unknown;
  hash: string;
}

/** The first place the chain is broken: an altered entry, a broken link, a missing entry. */
export interface ChainBreak {
  seq: number;
  /** hash: the entry's content no longer matches its hash (altered); prev_link: its prev_hash is not the previous entry's hash; missing: no entry with this seq (deleted). */
  kind: 'hash' | 'prev_link' | 'missing';
  action: string | null;
  at: string | null;
  zh: string;
  en: string;
}

export interface VerifyReport {
  ok: boolean;
  entries: number;
  headSeq: number;
  firstBreak?: ChainBreak;
}

export interface HistoryVersion {
  seq: number;
  at: string;
  action: string;
  changes: FieldChange[];
}

const BATCH = 1000;

const toEntry = (r: AuditRow): AuditEntry => ({
  seq: Number(r.seq),
  at: r.at,
  actorId: r.actor_id,
  actorLabel: r.actor_label,
  action: r.action,
  entityType: r.entity_type,
  entityId: r.entity_id,
  before: r.before_json === null ? null : (JSON.parse(r.before_json) as unknown),
  after: r.after_json === null ? null : (JSON.parse(r.after_json) as unknown),
  hash: r.hash,
});

/**
 * The tamper-evident audit trail. Entries are only ever inserted: each one's hash covers its
 * fields and the previous entry's hash (audit.hash.ts), so altering or deleting any entry breaks
 * the chain at that entry, which `verify` finds.
 */
export class AuditService {
  constructor(private readonly db: Db) {}

  /**
   * Runs `fn` in a transaction that first takes the chain's head lock (see lock): the way every
   * service that records a change opens its transaction.
   */
  transaction<T>(fn: (trx: Kysely<Database>) => Promise<T>): Promise<T> {
    return this.db.kysely.transaction().execute(async (trx) => {
      await this.lock(trx);
      return fn(trx);
    });
  }

  /**
   * Takes the chain's head lock in the caller's transaction. Appends from every app instance
   * queue on it (PostgreSQL: `select … for update` of the head row; SQLite: a write, which takes
   * the database's single write lock). Call it first in a transaction that reads before it writes
   * and records an entry, so that on SQLite the transaction holds the write lock before it reads.
   */
  async lock(trx: Kysely<Database>): Promise<{ seq: number; hash: string }> {
    if (!trx.isTransaction) throw new Error('AuditService must be called inside the transaction of the change it records');
    if (this.db.engine === 'postgres') {
      const head = await sql<{ seq: number; hash: string }>`select seq, hash from audit_head where id = 1 for update`.execute(trx);
      const row = head.rows[0];
      if (!row) throw new Error('audit_head row is missing');
      return { seq: Number(row.seq), hash: row.hash };
    }
    await trx.updateTable('audit_head').set({ seq: sql`seq` }).where('id', '=', 1).execute();
    const row = await trx.selectFrom('audit_head').select(['seq', 'hash']).where('id', '=', 1).executeTakeFirstOrThrow();
    return { seq: Number(row.seq), hash: row.hash };
  }

  /**
   * Appends one entry in the caller's transaction `trx`, so the change and its record commit
   * (or roll back) together. Refuses to run outside a transaction.
   */
  async record(trx: Kysely<Database>, entry: AuditEntryInput): Promise<{ seq: number; hash: string }> {
    const head = await this.lock(trx);
    const fields = {
      seq: head.seq + 1,
      at: new Date().toISOString(),
      actor_id: entry.actor.id,
      actor_label: entry.actor.label,
      action: entry.action,
      entity_type: entry.entityType,
      entity_id: entry.entityId,
      before_json: entry.before === undefined || entry.before === null ? null : JSON.stringify(entry.before),
      after_json: entry.after === undefined || entry.after === null ? null : JSON.stringify(entry.after),
      prev_hash: head.hash,
    };
    const hash = entryHash(fields);
    await trx.insertInto('audit_log').values({ ...fields, hash }).execute();
    await trx.updateTable('audit_head').set({ seq: fields.seq, hash }).where('id', '=', 1).execute();
    return { seq: fields.seq, hash };
  }

  /**
   * Walks the whole chain in seq order, BATCH entries at a time (memory does not grow with the
   * log), and reports the first broken entry. The head row catches entries deleted at the end.
   */
  async verify(onProgress?: (done: number, total: number) => void): Promise<VerifyReport> {
    const k = this.db.kysely;
    const head = await k.selectFrom('audit_head').select(['seq', 'hash']).where('id', '=', 1).executeTakeFirstOrThrow();
    const headSeq = Number(head.seq);
    const total = Math.max(headSeq, Number((await k.selectFrom('audit_log').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirst())?.n ?? 0));
    let prevSeq = 0;
    let prevHash = GENESIS_HASH;
    let entries = 0;
    const fail = (b: ChainBreak): VerifyReport => ({ ok: false, entries, headSeq, firstBreak: b });
    for (;;) {
      const rows = await k.selectFrom('audit_log').selectAll().where('seq', '>', prevSeq).orderBy('seq').limit(BATCH).execute();
      for (const r of rows) {
        const seq = Number(r.seq);
        if (seq !== prevSeq + 1) {
          const missing = prevSeq + 1;
          return fail({
            seq: missing,
            kind: 'missing',
            action: null,
            at: null,
            zh: `第 ${missing} 筆紀錄遺失（紀錄從第 ${prevSeq} 筆跳到第 ${seq} 筆）`,
            en: `entry ${missing} is missing (the log jumps from ${prevSeq} to ${seq})`,
          });
        }
        if (entryHash({ ...r, seq }) !== r.hash) {
          return fail({ seq, kind: 'hash', action: r.action, at: r.at, zh: `第 ${seq} 筆紀錄內容與其雜湊值不符（已被修改）`, en: `entry ${seq} does not match its hash (it was altered)` });
        }
        if (r.prev_hash !== prevHash) {
          return fail({ seq, kind: 'prev_link', action: r.action, at: r.at, zh: `第 ${seq} 筆紀錄的前一筆雜湊值不符`, en: `entry ${seq} does not link to the hash of entry ${prevSeq}` });
        }
        prevSeq = seq;
        prevHash = r.hash;
        entries++;
      }
      onProgress?.(entries, total);
      if (rows.length < BATCH) break;
    }
    if (headSeq > prevSeq) {
      const missing = prevSeq + 1;
      return fail({ seq: missing, kind: 'missing', action: null, at: null, zh: `第 ${missing} 筆之後的紀錄遺失（應有 ${headSeq} 筆）`, en: `entries from ${missing} on are missing (the log should have ${headSeq})` });
    }
    if (headSeq === prevSeq && headSeq > 0 && head.hash !== prevHash) {
      return fail({ seq: prevSeq, kind: 'hash', action: null, at: null, zh: `最後一筆紀錄（第 ${prevSeq} 筆）與鏈首不符`, en: `the last entry (${prevSeq}) does not match the chain head` });
    }
    return { ok: true, entries, headSeq };
  }

  /** Entries newest first, optionally for one entity id. */
  async log(opts: { entityId?: string; limit?: number } = {}): Promise<AuditEntry[]> {
    let q = this.db.kysely.selectFrom('audit_log').selectAll();
    if (opts.entityId) q = q.where('entity_id', '=', opts.entityId);
    const rows = await q.orderBy('seq', 'desc').limit(opts.limit ?? 50).execute();
    return rows.map(toEntry);
  }

  /**
   * The public version history of a dataset (by its uuid): one item per saved version while it
   * was published, with the fields that changed since the previous published version. Versions
   * saved while not published (drafts, working copies) are not shown.
   */
  async datasetHistory(datasetId: string): Promise<HistoryVersion[]> {
    const versions: HistoryVersion[] = [];
    let previous: Record<string, unknown> | null = null;
    let afterSeq = 0;
    for (;;) {
      const rows = await this.db.kysely
        .selectFrom('audit_log')
        .select(['seq', 'at', 'action', 'after_json'])
        .where('entity_type', '=', 'dataset')
        .where('entity_id', '=', datasetId)
        .where('action', 'in', ['dataset.create', 'dataset.update'])
        .where('seq', '>', afterSeq)
        .orderBy('seq')
        .limit(BATCH)
        .execute();
      for (const r of rows) {
        afterSeq = Number(r.seq);
        if (r.after_json === null) continue;
        const after = JSON.parse(r.after_json) as Record<string, unknown>;
        if (after.state !== 'published') continue;
        const changes = diffFields(previous, after);
        if (previous && changes.length === 0) continue;
        versions.push({ seq: afterSeq, at: r.at, action: r.action, changes: previous ? changes : [] });
        previous = after;
      }
      if (rows.length < BATCH) break;
    }
    return versions.reverse();
  }
}

