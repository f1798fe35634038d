import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { hash, verify } from '@node-rs/argon2';
import type { Kysely } from 'kysely';
import type { Database } from '../../db/types.ts';
import { AppError, invalid } from '../../errors.ts';
import { isEmail } from '../catalogue/national.ts';
import { SYSTEM_ACTOR, type Actor, type AuditService } from '../audit/audit.service.ts';
import type { UnitsService } from '../units/units.service.ts';

/** Role ids used by the CLI and the API (MISSION C1). */
export const ROLES = ['admin', 'contact', 'reviewer', 'head', 'cio', 'advisor'] as const;
export type Role = (typeof ROLES)[number];

export interface User {
  id: string;
  email: string;
  name: string;
  roles: { unit: string; role: Role }[];
  createdAt: string;
}

/** A user as the user list shows it. */
export interface UserSummary extends User {
  disabledAt: string | null;
  hasPassword: boolean;
}

const now = () => new Date().toISOString();
// Argon2id with OWASP's minimum parameters (19 MiB, 2 passes).
const ARGON = { algorithm: 2, memoryCost: 19456, timeCost: 2, parallelism: 1 } as const;
const TOKEN_PREFIX = 'kf_';
let dummyHash: Promise<string> | undefined;

export const hashToken = (token: string): string => createHash('sha256').update(token).digest('hex');

/** Accounts, their unit-scoped roles, and API tokens. */
export class UsersService {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly units: UnitsService,
    private readonly audit: AuditService,
  ) {}

  async findByEmail(email: string): Promise<User | undefined> {
    const row = await this.db.selectFrom('users').selectAll().where('email', '=', email.trim().toLowerCase()).executeTakeFirst();
    if (!row) return undefined;
    return this.withRoles(row.id, row.email, row.name, row.created_at);
  }

  /** Display names of these accounts, by id (who uploaded a file, say); unknown ids are left out. */
  async namesByIds(ids: readonly string[]): Promise<Map<string, string>> {
    const unique = [...new Set(ids)];
    if (unique.length === 0) return new Map();
    const rows = await this.db.selectFrom('users').select(['id', 'name']).where('id', 'in', unique).execute();
    return new Map(rows.map((r) => [r.id, r.name]));
  }

  private async withRoles(id: string, email: string, name: string, createdAt: string): Promise<User> {
    const roles = await this.db
      .selectFrom('user_roles as r')
      .innerJoin('units as u', 'u.id', 'r.unit_id')
      .select(['u.name as unit', 'r.role'])
      .where('r.user_id', '=', id)
      .orderBy('u.name')
      .orderBy('r.role')
      .execute();
    return { id, email, name, createdAt, roles: roles.map((r) => ({ unit: r.unit, role: r.role as Role })) };
  }

  /** Creates a user with one role in one unit; throws USER_EXISTS or VALIDATION_FAILED. */
  async create(
    input: { email: string; name: string; password?: string; unit: string; role: string },
    actor: Actor = SYSTEM_ACTOR,
    /** Runs inside the creating transaction (e.g. the invitation link and its mail): all or nothing. */
    within?: (trx: Kysely<Database>, userId: string) => Promise<void>,
  ): Promise<User> {
    const email = input.email.trim().toLowerCase();
    const errors: Record<string, string[]> = {};
    if (!isEmail(email)) errors.email = [`電子郵件「${input.email}」格式錯誤 / "${input.email}" is not an e-mail address`];
    if (!input.name.trim()) errors.name = ['姓名為必填 / name is required'];
    if (!(ROLES as readonly string[]).includes(input.role)) errors.role = [`角色須為 ${ROLES.join(', ')} 之一 / role must be one of ${ROLES.join(', ')}`];
    if (input.password !== undefined && input.password.length < 12) errors.password = ['密碼至少12個字元 / password must be at least 12 characters'];
    if (Object.keys(errors).length > 0) throw invalid(errors);
    const unit = await this.units.get(input.unit);
    if (await this.findByEmail(email)) throw new AppError('USER_EXISTS', 409, `帳號 ${email} 已存在`, `user ${email} already exists`);
    const id = randomUUID();
    const passwordHash = input.password ? await hash(input.password, ARGON) : null;
    await this.db.transaction().execute(async (trx) => {
      await trx.insertInto('users').values({ id, email, name: input.name.trim(), password_hash: passwordHash, created_at: now(), updated_at: now(), disabled_at: null }).execute();
      await trx.insertInto('user_roles').values({ user_id: id, unit_id: unit.id, role: input.role, created_at: now() }).execute();
      // Never the password hash: the audit trail is read by more people than the users table.
      await this.audit.record(trx, { actor, action: 'user.create', entityType: 'user', entityId: id, after: { email, name: input.name.trim(), roles: [{ unit: unit.name, role: input.role }] } });
      await within?.(trx, id);
    });
    const user = await this.findByEmail(email);
    if (!user) throw new AppError('USER_NOT_FOUND', 500, '建立後找不到帳號', 'user vanished after creation');
    return user;
  }

  async checkPassword(email: string, password: string): Promise<User | undefined> {
    const row = await this.db.selectFrom('users').selectAll().where('email', '=', email.trim().toLowerCase()).where('disabled_at', 'is', null).executeTakeFirst();
    if (!row?.password_hash) {
      // Spend the same time as a real check, so the answer time does not tell which addresses exist.
      dummyHash ??= hash(randomBytes(16).toString('hex'), ARGON);
      await verify(await dummyHash, password);
      return undefined;
    }
    return (await verify(row.password_hash, password)) ? this.withRoles(row.id, row.email, row.name, row.created_at) : undefined;
  }

  /**
   * Makes sure the admin account exists. Returns the generated password when it had to make one
   * up (printed once at first start), undefined otherwise.
   */
  async ensureAdmin(email: string, password: string | undefined): Promise<{ created: boolean; password?: string }> {
    if (await this.findByEmail(email)) return { created: false };
    const generated = password ? undefined : randomBytes(12).toString('base64url');
    const window = await this.units.window();
    await this.create({ email, name: '系統管理者 Administrator', password: password ?? generated, unit: window.name, role: 'admin' });
    return { created: true, password: generated };
  }

  /** Creates an API token; the token is returned once and stored only as a hash. */
  async createToken(email: string, opts: { name?: string; expiresInDays?: number; actor?: Actor } = {}): Promise<{ token: string; id: string; expiresAt: string | null }> {
    const user = await this.findByEmail(email);
    if (!user) throw new AppError('USER_NOT_FOUND', 404, `找不到帳號 ${email}`, `no user ${email}`);
    const token = TOKEN_PREFIX + randomBytes(32).toString('base64url');
    const id = randomUUID();
    const expiresAt = opts.expiresInDays ? new Date(Date.now() + opts.expiresInDays * 86_400_000).toISOString() : null;
    await this.db.transaction().execute(async (trx) => {
      await trx
        .insertInto('api_tokens')
        .values({ id, user_id: user.id, name: opts.name ?? 'cli', token_hash: hashToken(token), created_at: now(), expires_at: expiresAt, revoked_at: null, last_used_at: null })
        .execute();
      await this.audit.record(trx, { actor: opts.actor ?? SYSTEM_ACTOR, action: 'token.create', entityType: 'user', entityId: user.id, after: { tokenId: id, name: opts.name ?? 'cli', expiresAt } });
    });
    return { token, id, expiresAt };
  }

  /** A user's tokens, newest first; never the token itself (only its hash is stored). */
  async listTokens(email: string): Promise<{ id: string; name: string; createdAt: string; expiresAt: string | null; revokedAt: string | null; lastUsedAt: string | null }[]> {
    const user = await this.findByEmail(email);
    if (!user) throw new AppError('USER_NOT_FOUND', 404, `找不到帳號 ${email}`, `no user ${email}`);
    const rows = await this.db.selectFrom('api_tokens').selectAll().where('user_id', '=', user.id).orderBy('created_at', 'desc').execute();
    return rows.map((r) => ({ id: r.id, name: r.name, createdAt: r.created_at, expiresAt: r.expires_at, revokedAt: r.revoked_at, lastUsedAt: r.last_used_at }));
  }

  /** Revokes a token by its id; it stops working at once. Revoking twice is not an error. */
  async revokeToken(id: string, actor: Actor = SYSTEM_ACTOR): Promise<void> {
    const r = await this.db.transaction().execute(async (trx) => {
      const updated = await trx.updateTable('api_tokens').set({ revoked_at: now() }).where('id', '=', id).where('revoked_at', 'is', null).returning(['user_id', 'revoked_at']).executeTakeFirst();
      if (updated) await this.audit.record(trx, { actor, action: 'token.revoke', entityType: 'user', entityId: updated.user_id, after: { tokenId: id, revokedAt: updated.revoked_at } });
      return updated;
    });
    if (!r) {
      const exists = await this.db.selectFrom('api_tokens').select('id').where('id', '=', id).executeTakeFirst();
      if (!exists) throw new AppError('TOKEN_NOT_FOUND', 404, `找不到權杖 ${id}`, `no token ${id}`);
    }
  }

  /** The user a token belongs to, when it is valid (not revoked, not expired, user not disabled). */
  async userForToken(token: string): Promise<User | undefined> {
    const row = await this.db
      .selectFrom('api_tokens as t')
      .innerJoin('users as u', 'u.id', 't.user_id')
      .select(['t.id as token_id', 't.expires_at', 't.revoked_at', 'u.id', 'u.email', 'u.name', 'u.created_at', 'u.disabled_at'])
      .where('t.token_hash', '=', hashToken(token))
      .executeTakeFirst();
    if (!row || row.revoked_at || row.disabled_at || (row.expires_at && row.expires_at < now())) return undefined;
    await this.db.updateTable('api_tokens').set({ last_used_at: now() }).where('id', '=', row.token_id).execute();
    return this.withRoles(row.id, row.email, row.name, row.created_at);
  }

  private async mustFind(email: string): Promise<User> {
    const user = await this.findByEmail(email);
    if (!user) throw new AppError('USER_NOT_FOUND', 404, `找不到帳號 ${email}`, `no user ${email}`);
    return user;
  }

  /** Every account with its roles, by e-mail. */
  async list(): Promise<UserSummary[]> {
    const rows = await this.db.selectFrom('users').select(['id', 'email', 'name', 'created_at', 'disabled_at', 'password_hash']).orderBy('email').execute();
    const roles = await this.db.selectFrom('user_roles as r').innerJoin('units as u', 'u.id', 'r.unit_id').select(['r.user_id', 'u.name as unit', 'r.role']).orderBy('u.name').orderBy('r.role').execute();
    return rows.map((r) => ({
      id: r.id,
      email: r.email,
      name: r.name,
      createdAt: r.created_at,
      disabledAt: r.disabled_at,
      hasPassword: r.password_hash !== null,
      roles: roles.filter((x) => x.user_id === r.id).map((x) => ({ unit: x.unit, role: x.role as Role })),
    }));
  }

  private checkRole(role: string): Role {
    if (!(ROLES as readonly string[]).includes(role)) {
      throw invalid({ role: [`角色須為 ${ROLES.join(', ')} 之一 / role must be one of ${ROLES.join(', ')}`] });
    }
    return role as Role;
  }

  /**
   * Nobody changes their own roles: an admin could otherwise make themselves head or CIO and take
   * the decisions reserved to those offices (policy.ts RESERVED), or remove the last admin role.
   * Another admin, or the command line, does it.
   */
  private assertNotSelf(user: User, actor: Actor): void {
    if (actor.id !== user.id) return;
    throw new AppError('USER_SELF_ROLE', 403, '不能變更自己的角色，請由其他管理者辦理', 'You cannot change your own roles; another administrator must do it', {
      email: ['不能變更自己的角色 / you cannot change your own roles'],
    });
  }

  /** Gives a user a role in a unit; having it already is not an error. */
  async addRole(email: string, unitName: string, roleName: string, actor: Actor = SYSTEM_ACTOR): Promise<User> {
    const role = this.checkRole(roleName);
    const user = await this.mustFind(email);
    this.assertNotSelf(user, actor);
    const unit = await this.units.get(unitName);
    if (!user.roles.some((r) => r.unit === unit.name && r.role === role)) {
      await this.audit.transaction(async (trx) => {
        await trx.insertInto('user_roles').values({ user_id: user.id, unit_id: unit.id, role, created_at: now() }).execute();
        await this.audit.record(trx, { actor, action: 'user.role_add', entityType: 'user', entityId: user.id, before: { roles: user.roles }, after: { roles: [...user.roles, { unit: unit.name, role }] } });
      });
    }
    return this.mustFind(email);
  }

  /** Takes a role in a unit away; throws ROLE_NOT_FOUND when the user does not hold it. */
  async removeRole(email: string, unitName: string, roleName: string, actor: Actor = SYSTEM_ACTOR): Promise<User> {
    const role = this.checkRole(roleName);
    const user = await this.mustFind(email);
    this.assertNotSelf(user, actor);
    const unit = await this.units.get(unitName);
    if (!user.roles.some((r) => r.unit === unit.name && r.role === role)) {
      throw new AppError('ROLE_NOT_FOUND', 404, `${user.email} 在 ${unit.name} 沒有 ${role} 角色`, `${user.email} does not hold ${role} in ${unit.name}`);
    }
    await this.audit.transaction(async (trx) => {
      await trx.deleteFrom('user_roles').where('user_id', '=', user.id).where('unit_id', '=', unit.id).where('role', '=', role).execute();
      const after = user.roles.filter((r) => !(r.unit === unit.name && r.role === role));
      await this.audit.record(trx, { actor, action: 'user.role_remove', entityType: 'user', entityId: user.id, before: { roles: user.roles }, after: { roles: after } });
    });
    return this.mustFind(email);
  }

  /** Disables an account: its sessions end now, its API tokens stop working, it cannot sign in. */
  async disable(email: string, actor: Actor = SYSTEM_ACTOR): Promise<void> {
    const user = await this.mustFind(email);
    // Nobody locks themselves out (and the last admin cannot disappear that way).
    if (actor.id === user.id) throw new AppError('USER_SELF_DISABLE', 400, '不能停用自己的帳號', 'You cannot disable your own account', { email: ['不能停用自己的帳號 / you cannot disable your own account'] });
    await this.audit.transaction(async (trx) => {
      const r = await trx.updateTable('users').set({ disabled_at: now(), updated_at: now() }).where('id', '=', user.id).where('disabled_at', 'is', null).executeTakeFirst();
      await trx.deleteFrom('sessions').where('user_id', '=', user.id).execute();
      if (Number(r.numUpdatedRows) > 0) await this.audit.record(trx, { actor, action: 'user.disable', entityType: 'user', entityId: user.id, before: { disabled: false }, after: { disabled: true } });
    });
  }

  /** Enables a disabled account again (its old sessions stay ended; revoked tokens stay revoked). */
  async enable(email: string, actor: Actor = SYSTEM_ACTOR): Promise<void> {
    const user = await this.mustFind(email);
    await this.audit.transaction(async (trx) => {
      const r = await trx.updateTable('users').set({ disabled_at: null, updated_at: now() }).where('id', '=', user.id).where('disabled_at', 'is not', null).executeTakeFirst();
      if (Number(r.numUpdatedRows) > 0) await this.audit.record(trx, { actor, action: 'user.enable', entityType: 'user', entityId: user.id, before: { disabled: true }, after: { disabled: false } });
    });
  }

  /** Sets a new password (at least 12 characters) and ends every session of the account. */
  async setPassword(email: string, password: string, actor: Actor = SYSTEM_ACTOR, within?: (trx: Kysely<Database>, userId: string) => Promise<void>): Promise<void> {
    if (password.length < 12) throw invalid({ password: ['密碼至少12個字元 / password must be at least 12 characters'] });
    const user = await this.mustFind(email);
    const passwordHash = await hash(password, ARGON);
    await this.audit.transaction(async (trx) => {
      await trx.updateTable('users').set({ password_hash: passwordHash, updated_at: now() }).where('id', '=', user.id).execute();
      const ended = await trx.deleteFrom('sessions').where('user_id', '=', user.id).executeTakeFirst();
      // Never the hash itself.
      await this.audit.record(trx, { actor, action: 'user.password', entityType: 'user', entityId: user.id, after: { passwordChanged: true, sessionsEnded: Number(ended.numDeletedRows) } });
      await within?.(trx, user.id);
    });
  }
}
