import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Database } from '../../db/types.ts';
import type { AuditService } from '../audit/audit.service.ts';

export type AccountEventKind =
  | 'success'
  | 'failure'
  | 'locked'
  | 'lock'
  | 'unlock'
  | 'signout'
  | 'signout_all';

export interface AccountEvent {
  kind: AccountEventKind;
  email: string;
  userId?: string | null;
  ip?: string | null;
  /** Free text for the reader of the log (e.g. "role reviewer@statistics", "by admin@…"). */
  detail?: string | null;
}

/**
 * The one place sign-in events are recorded: successes and failures, lock-outs, sign-outs. Each goes
 * to `login_events` (queried for the account page and lock-out reviews) and, in the same
 * transaction, to the tamper-evident audit trail as `account.<kind>`.
 */
export async function recordAccountEvent(db: Kysely<Database>, audit: AuditService, event: AccountEvent): Promise<void> {
  const at = new Date().toISOString();
  await db.transaction().execute(async (trx) => {
    // The audit lock first: on SQLite it takes the write lock before anything is read.
    await audit.record(trx, {
      actor: event.userId ? { id: event.userId, label: event.email } : { id: 'anonymous', label: event.email },
      action: `account.${event.kind}`,
      entityType: 'account',
      entityId: event.email,
      after: { ip: event.ip ?? null, ...(event.detail ? { detail: event.detail } : {}) },
    });
    await trx
      .insertInto('login_events')
      .values({ id: randomUUID(), at, kind: event.kind, email: event.email, user_id: event.userId ?? null, ip: event.ip ?? null, detail: event.detail ?? null })
      .execute();
  });
}
