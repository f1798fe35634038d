import { sql } from 'kysely';
import type { Db } from '../../src/db/index.ts';

/**
 * Drops the triggers that make audit_log append-only, as someone with the database owner's rights
 * could, so a test can alter or delete entries and check that `verify` still notices.
 */
export async function dropAppendOnlyGuard(db: Db): Promise<void> {
  if (db.engine === 'postgres') {
    await sql`drop trigger audit_log_append_only on audit_log`.execute(db.kysely);
  } else {
    await sql`drop trigger audit_log_no_update`.execute(db.kysely);
    await sql`drop trigger audit_log_no_delete`.execute(db.kysely);
  }
}
