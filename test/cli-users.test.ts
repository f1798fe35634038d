import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { engines, makeEnv, type TestEnv } from './helpers/env.ts';
import { kaifang } from './helpers/cli.ts';


describe.each(engines)('kaifang users … on %s', (engine) => {
  let t: TestEnv;
  let env: Record<string, string>;
  const run = (args: string[], input?: string) => kaifang(args, env, input);
  beforeAll(async () => {
    t = await makeEnv(engine);
    env = { KAIFANG_DATA_DIR: t.dir, DATABASE_URL: t.databaseUrl, KAIFANG_DEMO: '0', KAIFANG_ADMIN_PASSWORD: 'admin-password-for-tests', KAIFANG_BASE_URL: 'http://portal.test' };
    await t.services.users.create({ email: 'lin@stat.example', name: '林審查', password: 'reviewer-password-1', unit: 'statistics', role: 'reviewer' });
  });
  afterAll(async () => t.cleanup());

  it('lists users with roles and status', async () => {
    const r = await run(['users', 'list']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('admin@kaifang.local\t系統管理者 Administrator\tadmin@it\t啟用 active');
    expect(r.stdout).toContain('lin@stat.example\t林審查\treviewer@statistics\t啟用 active');
  });

  it('adds and removes a role in a unit; refuses an unknown role or a role the user does not hold', async () => {
    const add = await run(['users', 'role', 'add', 'lin@stat.example', '--unit', 'census', '--role', 'contact']);
    expect(add.code).toBe(0);
    expect(add.stdout.trim()).toBe('lin@stat.example\tcontact@census,reviewer@statistics');
    const remove = await run(['users', 'role', 'remove', 'lin@stat.example', '--unit', 'census', '--role', 'contact']);
    expect(remove.code).toBe(0);
    expect((await t.services.users.findByEmail('lin@stat.example'))?.roles).toEqual([{ unit: 'statistics', role: 'reviewer' }]);
    const bad = await run(['users', 'role', 'add', 'lin@stat.example', '--unit', 'census', '--role', 'boss']);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('role must be one of admin, contact, reviewer, head, cio, advisor');
    const missing = await run(['users', 'role', 'remove', 'lin@stat.example', '--unit', 'census', '--role', 'contact']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('lin@stat.example does not hold contact in census');
  });

  it('disables (sessions end, tokens stop) and enables a user', async () => {
    const { token } = await t.services.users.createToken('lin@stat.example');
    const signedIn = await t.services.accounts.signIn('lin@stat.example', 'reviewer-password-1');
    const off = await run(['users', 'disable', 'lin@stat.example']);
    expect(off.code).toBe(0);
    expect(off.stderr).toContain('已停用 Disabled: lin@stat.example');
    expect(await t.services.users.userForToken(token)).toBeUndefined();
    expect(await t.services.accounts.resolveSession(signedIn.token)).toBeUndefined();
    expect((await run(['users', 'list'])).stdout).toMatch(/lin@stat\.example\t林審查\treviewer@statistics\t已停用 disabled /);
    const on = await run(['users', 'enable', 'lin@stat.example']);
    expect(on.code).toBe(0);
    expect(await t.services.users.userForToken(token)).toBeDefined();
  });

  it('sets a password from stdin, ends the sessions, and refuses a short one', async () => {
    const before = await t.services.accounts.signIn('lin@stat.example', 'reviewer-password-1');
    const r = await run(['users', 'passwd', 'lin@stat.example', '--password-stdin'], 'a-brand-new-password\n');
    expect(r.code).toBe(0);
    expect(await t.services.accounts.resolveSession(before.token)).toBeUndefined();
    expect(await t.services.users.checkPassword('lin@stat.example', 'a-brand-new-password')).toBeDefined();
    const short = await run(['users', 'passwd', 'lin@stat.example', '--password-stdin'], 'short\n');
    expect(short.code).toBe(1);
    expect(short.stderr).toContain('password must be at least 12 characters');
    const unknown = await run(['users', 'disable', 'nobody@stat.example']);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('no user nobody@stat.example');
  });

  it('invites a user: the account exists without a password and the printed link sets one once', async () => {
    const r = await run(['users', 'invite', 'chen@stat.example', '--name', '陳新人', '--unit', 'statistics', '--role', 'contact']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('已建立帳號 User created: chen@stat.example (contact@statistics)');
    const link = /(http:\/\/portal\.test\/account\/password\?token=[\w-]+)/.exec(r.stdout)?.[1];
    expect(link).toBeDefined();
    const token = new URL(link ?? '').searchParams.get('token') ?? '';
    expect((await t.services.accounts.passwordLinkOwner(token)).email).toBe('chen@stat.example');
    await t.services.accounts.setPasswordWithLink(token, 'chen-password-2026', 'chen-password-2026');
    expect(await t.services.users.checkPassword('chen@stat.example', 'chen-password-2026')).toBeDefined();
    const again = await run(['users', 'password-link', 'chen@stat.example']);
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('/account/password?token=');
    const dup = await run(['users', 'invite', 'chen@stat.example', '--name', '陳新人', '--unit', 'statistics', '--role', 'contact']);
    expect(dup.code).toBe(1);
    expect(dup.stderr).toContain('already exists');
  });
});
