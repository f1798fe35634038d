import { describe, expect, it } from 'vitest';
import { AppError } from '../../errors.ts';
import type { Role } from '../users/users.service.ts';
import { ACTIONS, assertCan, can, type Action, type Actor } from './policy.ts';

/*
 * The access matrix, written out. Each cell has four letters for the four situations
 *   1: target in the actor's own unit, submitted by someone else
 *   2: target in the actor's own unit, submitted by the actor
 *   3: target in another unit,         submitted by someone else
 *   4: target in another unit,         submitted by the actor
 * Y = allowed, - = refused. "Own unit" is the unit the role is held in: statistics for contact
 * and reviewer, it (主計資訊處, the open-data window) for admin, dgbas (the agency) for head,
 * cio and advisor; "another unit" is census.
 */
const MATRIX: Record<Action, Record<'public' | Role, string>> = {
  //                                  public   admin   contact  reviewer  head    cio     advisor
  'dataset.read_nonpublic':          { public: '----', admin: 'YYYY', contact: 'YY--', reviewer: 'YY--', head: 'YYYY', cio: '----', advisor: '----' },
  'dataset.create':                  { public: '----', admin: 'YYYY', contact: 'YY--', reviewer: '----', head: '----', cio: '----', advisor: '----' },
  'dataset.edit':                    { public: '----', admin: 'YYYY', contact: 'YY--', reviewer: '----', head: '----', cio: '----', advisor: '----' },
  'dataset.submit':                  { public: '----', admin: 'YYYY', contact: 'YY--', reviewer: '----', head: '----', cio: '----', advisor: '----' },
  'dataset.approve':                 { public: '----', admin: 'Y-Y-', contact: '----', reviewer: 'Y---', head: '----', cio: '----', advisor: '----' },
  'dataset.return':                  { public: '----', admin: 'Y-Y-', contact: '----', reviewer: 'Y---', head: '----', cio: '----', advisor: '----' },
  'dataset.propose_discontinuation': { public: '----', admin: 'YYYY', contact: 'YY--', reviewer: '----', head: '----', cio: '----', advisor: '----' },
  'dataset.approve_discontinuation': { public: '----', admin: '----', contact: '----', reviewer: '----', head: 'Y-Y-', cio: '----', advisor: '----' },
  'dataset.approve_withholding':     { public: '----', admin: '----', contact: '----', reviewer: '----', head: 'Y-Y-', cio: '----', advisor: '----' },
  'users.manage':                    { public: '----', admin: 'YYYY', contact: '----', reviewer: '----', head: '----', cio: '----', advisor: '----' },
  'audit.read':                      { public: '----', admin: 'YYYY', contact: '----', reviewer: '----', head: '----', cio: '----', advisor: '----' },
  'inventory.read':                  { public: '----', admin: 'YYYY', contact: 'YY--', reviewer: 'YY--', head: 'YYYY', cio: 'YYYY', advisor: '----' },
  'inventory.edit':                  { public: '----', admin: 'YYYY', contact: 'YY--', reviewer: '----', head: '----', cio: '----', advisor: '----' },
  'inventory.compile':               { public: '----', admin: 'YYYY', contact: '----', reviewer: '----', head: '----', cio: '----', advisor: '----' },
  'inventory.approve':               { public: '----', admin: '----', contact: '----', reviewer: '----', head: '----', cio: 'Y-Y-', advisor: '----' },
  'followup.read':                   { public: '----', admin: 'YYYY', contact: 'YY--', reviewer: 'YY--', head: 'YYYY', cio: 'YYYY', advisor: '----' },
  'calendar.manage':                 { public: '----', admin: 'YYYY', contact: '----', reviewer: '----', head: '----', cio: '----', advisor: '----' },
  'advisory.read':                   { public: '----', admin: 'YYYY', contact: '----', reviewer: '----', head: '----', cio: '----', advisor: 'YYYY' },
  'quality.override':                { public: '----', admin: 'Y-Y-', contact: '----', reviewer: 'Y---', head: '----', cio: '----', advisor: '----' },
  'quality.report_agency':           { public: '----', admin: 'YYYY', contact: '----', reviewer: '----', head: 'YYYY', cio: 'YYYY', advisor: '----' },
};

const HOME: Record<Role, string> = { admin: 'it', contact: 'statistics', reviewer: 'statistics', head: 'dgbas', cio: 'dgbas', advisor: 'dgbas' };
const OTHER = 'census';
const ME = 'user-me';
const SOMEONE = 'user-someone-else';

const actorFor = (role: 'public' | Role): Actor | null => (role === 'public' ? null : { id: ME, roles: [{ unit: HOME[role], role }] });

const cases = ACTIONS.flatMap((action) =>
  (Object.keys(MATRIX[action]) as ('public' | Role)[]).flatMap((role) => {
    const expected = MATRIX[action][role];
    const own = role === 'public' ? 'statistics' : HOME[role];
    const situations = [
      { where: 'own unit', unit: own, by: SOMEONE },
      { where: 'own unit, self-submitted', unit: own, by: ME },
      { where: 'other unit', unit: OTHER, by: SOMEONE },
      { where: 'other unit, self-submitted', unit: OTHER, by: ME },
    ];
    return situations.map((s, i) => ({ action, role, ...s, allowed: expected[i] === 'Y' }));
  }),
);

describe('policy matrix: every action × every role × own/other unit × self-submitted or not', () => {
  it('covers every action and every role', () => {
    expect(Object.keys(MATRIX).sort()).toEqual([...ACTIONS].sort());
    expect(cases).toHaveLength(ACTIONS.length * 7 * 4);
  });

  it.each(cases)('$role $action ($where) → allowed: $allowed', ({ action, role, unit, by, allowed }) => {
    const actor = actorFor(role);
    expect(can(actor, action, { unit, submittedBy: by })).toBe(allowed);
    if (allowed) expect(() => assertCan(actor, action, { unit, submittedBy: by })).not.toThrow();
    else expect(() => assertCan(actor, action, { unit, submittedBy: by })).toThrow(AppError);
  });
});

describe('people with several roles', () => {
  it('a contact who is also the reviewer of the unit can never approve or return what they submitted', () => {
    const both: Actor = { id: ME, roles: [{ unit: 'statistics', role: 'contact' }, { unit: 'statistics', role: 'reviewer' }] };
    expect(can(both, 'dataset.submit', { unit: 'statistics' })).toBe(true);
    expect(can(both, 'dataset.approve', { unit: 'statistics', submittedBy: ME })).toBe(false);
    expect(can(both, 'dataset.return', { unit: 'statistics', submittedBy: ME })).toBe(false);
    expect(can(both, 'dataset.approve', { unit: 'statistics', submittedBy: SOMEONE })).toBe(true);
  });

  it('roles in different units apply each to its own unit', () => {
    const mixed: Actor = { id: ME, roles: [{ unit: 'statistics', role: 'contact' }, { unit: 'census', role: 'reviewer' }] };
    expect(can(mixed, 'dataset.edit', { unit: 'statistics' })).toBe(true);
    expect(can(mixed, 'dataset.edit', { unit: 'census' })).toBe(false);
    expect(can(mixed, 'dataset.approve', { unit: 'census', submittedBy: SOMEONE })).toBe(true);
    expect(can(mixed, 'dataset.approve', { unit: 'statistics', submittedBy: SOMEONE })).toBe(false);
  });

  it('an admin who is also head takes the head decisions through the head role, never on their own proposal', () => {
    const adminHead: Actor = { id: ME, roles: [{ unit: 'it', role: 'admin' }, { unit: 'dgbas', role: 'head' }] };
    expect(can(adminHead, 'dataset.approve_discontinuation', { unit: 'statistics', submittedBy: SOMEONE })).toBe(true);
    expect(can(adminHead, 'dataset.approve_discontinuation', { unit: 'statistics', submittedBy: ME })).toBe(false);
  });

  it('a unit-scoped action without a target unit is refused (no unit, no grant)', () => {
    expect(can({ id: ME, roles: [{ unit: 'statistics', role: 'contact' }] }, 'dataset.create')).toBe(false);
  });
});

describe('assertCan errors', () => {
  const contact: Actor = { id: ME, roles: [{ unit: 'statistics', role: 'contact' }] };
  const reviewer: Actor = { id: ME, roles: [{ unit: 'statistics', role: 'reviewer' }] };
  const thrown = (fn: () => void): AppError => {
    try {
      fn();
    } catch (e) {
      if (e instanceof AppError) return e;
    }
    throw new Error('expected an AppError');
  };

  it('403 FORBIDDEN names the action and unit in both languages', () => {
    const e = thrown(() => assertCan(contact, 'dataset.edit', { unit: 'census' }));
    expect([e.status, e.code]).toEqual([403, 'FORBIDDEN']);
    expect(e.zh).toContain('編修資料集');
    expect(e.zh).toContain('census');
    expect(e.en).toContain('edit datasets');
  });

  it('404 when the caller may not even see the thing', () => {
    const e = thrown(() => assertCan(contact, 'dataset.edit', { unit: 'census' }, { hidden: true }));
    expect([e.status, e.code]).toEqual([404, 'NOT_FOUND']);
    expect(thrown(() => assertCan(null, 'dataset.read_nonpublic', { unit: 'census' }, { hidden: true })).status).toBe(404);
  });

  it('403 (not 404) when the caller can see it but may not act', () => {
    const e = thrown(() => assertCan(reviewer, 'dataset.edit', { unit: 'statistics' }, { hidden: true }));
    expect(e.status).toBe(403);
  });

  it('self-approval is refused with its own message', () => {
    const e = thrown(() => assertCan(reviewer, 'dataset.approve', { unit: 'statistics', submittedBy: ME }));
    expect(e.status).toBe(403);
    expect(e.zh).toContain('自己送出');
    expect(e.en).toContain('your own submission');
  });

  it('the public is refused with 403 and told to sign in', () => {
    const e = thrown(() => assertCan(null, 'users.manage'));
    expect([e.status, e.code]).toEqual([403, 'FORBIDDEN']);
    expect(e.zh).toContain('需要登入');
  });
});
