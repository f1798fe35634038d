import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Config } from '../../config.ts';
import type { Database } from '../../db/types.ts';
import { AppError } from '../../errors.ts';
import type { AuditService } from '../audit/audit.service.ts';
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
}
