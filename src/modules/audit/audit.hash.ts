import { createHash } from 'node:crypto';
import type { AuditLogTable } from '../../db/types.ts';

/** prev_hash of the first entry. */
export const GENESIS_HASH = '0'.repeat(64);

/** The fields an entry's hash covers, as stored in audit_log: all but the hash itself. */
export type HashedFields = Omit<AuditLogTable, 'hash'>;

/**
 * The canonical serialisation an entry's hash is taken over: a JSON array of the stored column
 * values in this fixed order, with JSON.stringify's escaping and no whitespace —
 *
 *   [seq, at, actor_id, actor_label, action, entity_type, entity_id, before_json, after_json, prev_hash]
 *
 * seq is a JSON number; nullable columns are `null`; before_json/after_json are the stored JSON
 * texts themselves, as strings (not re-parsed, so the hash does not depend on key order in them).
 * hash = lower-case hex SHA-256 of the UTF-8 bytes of that text. The first entry's prev_hash is
 * 64 zeros. An array (not an object) leaves nothing to key ordering; anyone can recompute it with
 * any JSON library (documented in the README).
 */
export function canonicalForm(f: HashedFields): string {
  return JSON.stringify([f.seq, f.at, f.actor_id, f.actor_label, f.action, f.entity_type, f.entity_id, f.before_json, f.after_json, f.prev_hash]);
}

export function entryHash(f: HashedFields): string {
  return createHash('sha256').update(canonicalForm(f), 'utf8').digest('hex');
}
