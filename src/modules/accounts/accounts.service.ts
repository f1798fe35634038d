import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Config } from '../../config.ts';
import type { Database } from '../../db/types.ts';
import { AppError } from '../../errors.ts';
import type { AuditService } from '../audit/audit.service.ts';
import type { NotificationService } from '../notifications/notifications.service.ts';
import { passwordLink } from '../notifications/notifications.templates.ts';
import { assertCan } from '../policy/policy.ts';
import type { User, UsersService } from '../users/users.service.ts';
import { recordAccountEvent, type AccountEvent } from './accounts.events.ts';

export interface Session {
  /** SHA-256 of the cookie value (the stored key). */
  id: string;
  csrfToken: string;
  expiresAt: string;
}

export interface SignInResult {
  /** The cookie value; returned once, never stored. */
  token: string;
  session: Session;
  user: User;
}

export interface ClientMeta {
  ip?: string | null;
  userAgent?: string | null;
}

/** Who is recorded as acting: the signed-in admin, or the `kaifang` command line (run by whoever runs the server). */
const actorOf = (by: User | 'cli') => (by === 'cli' ? { id: 'cli', label: 'kaifang CLI' } : { id: by.id, label: by.email });
const sha256 = (s: string): string => createHash('sha256').update(s).digest('hex');
const iso = (ms: number): string => new Date(ms).toISOString();
/** Writing last_seen_at on every request would turn each page view into a write; a minute is precise enough. */
const TOUCH_EVERY_MS = 60_000;

/** Constant-time comparison of two CSRF tokens (strings of any length). */
export function sameToken(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** Sign-in with lock-out, server-side sessions and their CSRF secrets, sign-out (here or everywhere). */
export class AccountsService {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly config: Config,
    private readonly users: UsersService,
    private readonly audit: AuditService,
    private readonly notifications: NotificationService,
  ) {}

  private record(event: AccountEvent): Promise<void> {
    return recordAccountEvent(this.db, this.audit, event);
  }

  /**
   * Checks e-mail and password and opens a NEW session (a session id is never carried over from
   * before sign-in; `previousToken`, if any, is ended). Failures say the same thing whether or not
   * the address has an account; after `lockoutAttempts` failures in a row the address is locked for
   * `lockoutSeconds`, even for the right password.
   */
  async signIn(emailInput: string, password: string, meta: ClientMeta & { previousToken?: string } = {}): Promise<SignInResult> {
    const email = emailInput.trim().toLowerCase();
    const ip = meta.ip ?? null;
    const nowMs = Date.now();
    const throttle = await this.db.selectFrom('login_throttle').selectAll().where('email', '=', email).executeTakeFirst();
    if (throttle?.locked_until) {
      if (throttle.locked_until > iso(nowMs)) {
        await this.record({ kind: 'locked', email, ip });
        throw this.lockedError(throttle.locked_until, nowMs);
      }
      // The lock has run out: start counting afresh.
      await this.db.updateTable('login_throttle').set({ failures: 0, locked_until: null, updated_at: iso(nowMs) }).where('email', '=', email).execute();
      await this.record({ kind: 'unlock', email, ip, detail: `lock expired ${throttle.locked_until}` });
    }

    const user = email && password ? await this.users.checkPassword(email, password) : undefined;
    if (!user) return this.failSignIn(email, ip, nowMs);

    await this.db.deleteFrom('login_throttle').where('email', '=', email).execute();
    if (meta.previousToken) await this.db.deleteFrom('sessions').where('id', '=', sha256(meta.previousToken)).execute();
    // Sessions nobody presented again are otherwise never removed: sweep this user's dead ones.
    await this.db
      .deleteFrom('sessions')
      .where('user_id', '=', user.id)
      .where((eb) => eb.or([eb('expires_at', '<=', iso(nowMs)), eb('last_seen_at', '<=', iso(nowMs - this.config.sessionIdleSeconds * 1000))]))
      .execute();
    const token = randomBytes(32).toString('base64url');
    const session: Session = { id: sha256(token), csrfToken: randomBytes(32).toString('base64url'), expiresAt: iso(nowMs + this.config.sessionMaxSeconds * 1000) };
    await this.db
      .insertInto('sessions')
      .values({
        id: session.id,
        user_id: user.id,
        csrf_token: session.csrfToken,
        created_at: iso(nowMs),
        last_seen_at: iso(nowMs),
        expires_at: session.expiresAt,
        ip,
        user_agent: meta.userAgent?.slice(0, 500) ?? null,
      })
      .execute();
    await this.record({ kind: 'success', email, userId: user.id, ip });
    return { token, session, user };
  }

  private async failSignIn(email: string, ip: string | null, nowMs: number): Promise<never> {
    const row = await this.db
      .insertInto('login_throttle')
      .values({ email, failures: 1, locked_until: null, updated_at: iso(nowMs) })
      .onConflict((oc) => oc.column('email').doUpdateSet((eb) => ({ failures: eb('login_throttle.failures', '+', 1), updated_at: iso(nowMs) })))
      .returning(['failures'])
      .executeTakeFirstOrThrow();
    await this.record({ kind: 'failure', email, ip, detail: `failure ${row.failures}` });
    if (row.failures >= this.config.lockoutAttempts) {
      const until = iso(nowMs + this.config.lockoutSeconds * 1000);
      await this.db.updateTable('login_throttle').set({ locked_until: until }).where('email', '=', email).execute();
      await this.record({ kind: 'lock', email, ip, detail: `locked until ${until} after ${row.failures} failures` });
      throw this.lockedError(until, nowMs);
    }
    throw new AppError('SIGNIN_FAILED', 401, '電子郵件或密碼錯誤', 'Wrong e-mail or password');
  }

  private lockedError(until: string, nowMs: number): AppError {
    const minutes = Math.max(1, Math.ceil((Date.parse(until) - nowMs) / 60_000));
    return new AppError(
      'SIGNIN_LOCKED',
      429,
      `登入失敗次數過多，已暫時鎖定，請於 ${minutes} 分鐘後再試`,
      `Too many failed sign-ins: sign-in is locked for ${minutes} more minute${minutes === 1 ? '' : 's'}`,
    );
  }

  /**
   * The user and session behind a cookie value, when the session is live: not signed out, not idle
   * longer than `sessionIdleSeconds`, not past its absolute expiry, user not disabled.
   */
  async resolveSession(token: string): Promise<{ user: User; session: Session } | undefined> {
    const id = sha256(token);
    const row = await this.db
      .selectFrom('sessions as s')
      .innerJoin('users as u', 'u.id', 's.user_id')
      .select(['s.id', 's.csrf_token', 's.last_seen_at', 's.expires_at', 'u.email', 'u.disabled_at'])
      .where('s.id', '=', id)
      .executeTakeFirst();
    if (!row) return undefined;
    const nowMs = Date.now();
    const idleUntil = Date.parse(row.last_seen_at) + this.config.sessionIdleSeconds * 1000;
    if (row.disabled_at || row.expires_at <= iso(nowMs) || idleUntil <= nowMs) {
      await this.db.deleteFrom('sessions').where('id', '=', id).execute();
      return undefined;
    }
    const user = await this.users.findByEmail(row.email);
    if (!user) return undefined;
    if (nowMs - Date.parse(row.last_seen_at) > TOUCH_EVERY_MS) {
      await this.db.updateTable('sessions').set({ last_seen_at: iso(nowMs) }).where('id', '=', id).execute();
    }
    return { user, session: { id, csrfToken: row.csrf_token, expiresAt: row.expires_at } };
  }

  /** Ends the session behind a cookie value; ending an ended session is not an error. */
  async signOut(token: string, meta: ClientMeta = {}): Promise<void> {
    const id = sha256(token);
    const row = await this.db.selectFrom('sessions as s').innerJoin('users as u', 'u.id', 's.user_id').select(['u.id', 'u.email']).where('s.id', '=', id).executeTakeFirst();
    await this.db.deleteFrom('sessions').where('id', '=', id).execute();
    if (row) await this.record({ kind: 'signout', email: row.email, userId: row.id, ip: meta.ip });
  }

  /** Ends every session of a user (sign out everywhere); returns how many were ended. */
  async signOutEverywhere(userId: string, meta: ClientMeta & { by?: string } = {}): Promise<number> {
    const user = await this.db.selectFrom('users').select(['id', 'email']).where('id', '=', userId).executeTakeFirst();
    if (!user) throw new AppError('USER_NOT_FOUND', 404, `找不到帳號 ${userId}`, `no user ${userId}`);
    const r = await this.db.deleteFrom('sessions').where('user_id', '=', userId).executeTakeFirst();
    const n = Number(r.numDeletedRows);
    await this.record({ kind: 'signout_all', email: user.email, userId, ip: meta.ip, detail: `${n} session(s)${meta.by ? ` by ${meta.by}` : ''}` });
    return n;
  }

  /** The newest account events for an address (for the account page and tests). */
  async recentEvents(email: string, limit = 20): Promise<{ at: string; kind: string; ip: string | null; detail: string | null }[]> {
    return this.db
      .selectFrom('login_events')
      .select(['at', 'kind', 'ip', 'detail'])
      .where('email', '=', email.trim().toLowerCase())
      .orderBy('at', 'desc')
      .orderBy('id')
      .limit(limit)
      .execute();
  }

  /**
   * Creates an account without a password and mails its owner a one-time link to set one (the
   * invitation), in one transaction: no account exists without its link. The link is also
   * returned, for an admin to pass on when no SMTP server is configured.
   */
  async invite(admin: User | 'cli', input: { email: string; name: string; unit: string; role: string }): Promise<{ user: User; link: string }> {
    if (admin !== 'cli') assertCan(admin, 'users.manage');
    let link = '';
    const user = await this.users.create(input, actorOf(admin), async (trx, userId) => {
      link = await this.issuePasswordLink(trx, { userId, name: input.name.trim(), purpose: 'invite', by: admin });
    });
    return { user, link };
  }

  /** Mails an existing account a new one-time link to set its password; earlier links stop working. */
  async sendPasswordLink(admin: User | 'cli', email: string): Promise<{ link: string }> {
    if (admin !== 'cli') assertCan(admin, 'users.manage');
    const row = await this.db.selectFrom('users').select(['id', 'name', 'password_hash', 'disabled_at']).where('email', '=', email.trim().toLowerCase()).executeTakeFirst();
    if (!row) throw new AppError('USER_NOT_FOUND', 404, `找不到帳號 ${email}`, `no user ${email}`);
    if (row.disabled_at) throw new AppError('USER_DISABLED', 409, `帳號 ${email} 已停用，請先啟用再寄送連結`, `${email} is disabled: enable it before sending a link`);
    const link = await this.db.transaction().execute(async (trx) => {
      await this.audit.lock(trx);
      const l = await this.issuePasswordLink(trx, { userId: row.id, name: row.name, purpose: row.password_hash ? 'reset' : 'invite', by: admin });
      await this.audit.record(trx, { actor: actorOf(admin), action: 'user.password_link', entityType: 'user', entityId: row.id, after: { sent: true } });
      return l;
    });
    return { link };
  }

  private async issuePasswordLink(trx: Kysely<Database>, p: { userId: string; name: string; purpose: 'invite' | 'reset'; by: User | 'cli' }): Promise<string> {
    const token = randomBytes(32).toString('base64url');
    const nowMs = Date.now();
    // One live link per account: a new one ends the earlier ones.
    await trx.updateTable('password_tokens').set({ used_at: iso(nowMs) }).where('user_id', '=', p.userId).where('used_at', 'is', null).execute();
    await trx
      .insertInto('password_tokens')
      .values({ id: sha256(token), user_id: p.userId, purpose: p.purpose, created_by: p.by === 'cli' ? 'cli' : p.by.id, created_at: iso(nowMs), expires_at: iso(nowMs + this.config.passwordLinkHours * 3600_000), used_at: null })
      .execute();
    const link = `${this.config.baseUrl}/account/password?token=${token}`;
    await this.notifications.notify(trx, {
      userIds: [p.userId],
      kind: `account.${p.purpose}`,
      message: passwordLink({ name: p.name, inviter: p.by === 'cli' ? '系統管理者 Administrator' : p.by.name, link, hours: this.config.passwordLinkHours, invite: p.purpose === 'invite' }),
      // The inbox is behind the password this link sets: mail is the only way it arrives.
      link: undefined,
    });
    return link;
  }

  /** Whose link this is, while it is unused and unexpired; otherwise PASSWORD_LINK_INVALID (410). */
  async passwordLinkOwner(token: string): Promise<{ userId: string; email: string; name: string; purpose: 'invite' | 'reset' }> {
    const row = await this.db
      .selectFrom('password_tokens as t')
      .innerJoin('users as u', 'u.id', 't.user_id')
      .select(['u.id', 'u.email', 'u.name', 'u.disabled_at', 't.purpose', 't.expires_at', 't.used_at'])
      .where('t.id', '=', sha256(token))
      .executeTakeFirst();
    if (!row || row.used_at || row.disabled_at || row.expires_at <= iso(Date.now())) {
      throw new AppError(
        'PASSWORD_LINK_INVALID',
        410,
        '此設定密碼連結無效、已使用過或已過期，請洽管理者重新寄送',
        'This password link is not valid, was already used or has expired: ask an administrator to send a new one',
      );
    }
    return { userId: row.id, email: row.email, name: row.name, purpose: row.purpose === 'reset' ? 'reset' : 'invite' };
  }

  /**
   * Sets the password through a one-time link and signs the person in. The link is spent in the
   * same transaction as the password change, so two tabs cannot both use it.
   */
  async setPasswordWithLink(token: string, password: string, confirm: string, meta: ClientMeta = {}): Promise<SignInResult> {
    const owner = await this.passwordLinkOwner(token);
    const errors: Record<string, string[]> = {};
    if (password.length < 12) errors.password = ['密碼至少 12 個字元 / the password must be at least 12 characters'];
    else if (password !== confirm) errors.confirm = ['兩次輸入的密碼不一致 / the two passwords differ'];
    if (Object.keys(errors).length > 0) throw new AppError('VALIDATION_FAILED', 400, '密碼不符合要求', 'The password does not meet the requirements', errors);
    await this.users.setPassword(owner.email, password, { id: owner.userId, label: owner.email }, async (trx) => {
      const spent = await trx.updateTable('password_tokens').set({ used_at: iso(Date.now()) }).where('id', '=', sha256(token)).where('used_at', 'is', null).executeTakeFirst();
      if (Number(spent.numUpdatedRows) !== 1) throw new AppError('PASSWORD_LINK_INVALID', 410, '此設定密碼連結已使用過', 'This password link was already used');
    });
    return this.signIn(owner.email, password, meta);
  }
}
