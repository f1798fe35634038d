import type { Kysely } from 'kysely';
import type { Database } from '../../db/types.ts';
import type { Role } from './users.service.ts';

/**
 * The enabled users holding `role` — in `unit` (a unit name) when given, anywhere otherwise — for
 * notifications: a unit's contacts or reviewers, the window's admins, the CIO. `except` leaves out
 * the person acting.
 */
export async function usersWithRole(db: Kysely<Database>, role: Role, opts: { unit?: string; except?: string } = {}): Promise<string[]> {
  let q = db
    .selectFrom('user_roles as r')
    .innerJoin('units as u', 'u.id', 'r.unit_id')
    .innerJoin('users as us', 'us.id', 'r.user_id')
    .select('r.user_id')
    .distinct()
    .where('us.disabled_at', 'is', null)
    .where('r.role', '=', role);
  if (opts.unit !== undefined) q = q.where('u.name', '=', opts.unit);
  if (opts.except) q = q.where('r.user_id', '!=', opts.except);
  return (await q.orderBy('r.user_id').execute()).map((r) => r.user_id);
}
