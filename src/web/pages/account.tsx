import type { User, UserSummary } from '../../modules/users/users.service.ts';
import type { PageCtx } from '../context.ts';
import { Layout } from '../layout.tsx';
import { accountMessages } from './account-messages.ts';
import { CsrfField } from './signin.tsx';
import { pickLang } from '../../i18n.ts';

export interface AccountEventView {
  at: string;
  kind: string;
  ip: string | null;
}

type UnitTitle = (name: string) => string;

/** The signed-in user's own page: who they are, their roles, recent sign-ins, sign out everywhere. */
export function AccountPage({ ctx, user, events, unitTitle, canManageUsers }: { ctx: PageCtx; user: User; events: AccountEventView[]; unitTitle: UnitTitle; canManageUsers: boolean }) {
  const a = accountMessages(ctx.lang);
  return (
    <Layout ctx={ctx} title={a.accountTitle} nav="none">
      <div class="container">
        <div class="error-page">
          <h1>{a.accountTitle}</h1>
          <dl>
            <dt>{a.name}</dt>
            <dd>{user.name}</dd>
            <dt>{a.email}</dt>
            <dd>{user.email}</dd>
            <dt>{a.roles}</dt>
            <dd>
              {user.roles.length === 0 ? (
                a.noRoles
              ) : (
                <ul>
                  {user.roles.map((r) => (
                    <li>
                      {a.roleNames[r.role]}（{unitTitle(r.unit)}）
                    </li>
                  ))}
                </ul>
              )}
            </dd>
          </dl>
          {canManageUsers ? (
            <p>
              <a href={ctx.href('/admin/users')}>{a.usersTitle}</a>
            </p>
          ) : null}
          <h2>{a.signOutEverywhere}</h2>
          <p>{a.signOutEverywhereLead}</p>
          <form method="post" action={ctx.href('/account/signout-all')}>
            <CsrfField ctx={ctx} />
            <button type="submit" class="button">
              {a.signOutEverywhere}
            </button>
          </form>
          <h2>{a.recentSignIns}</h2>
          <table>
            <thead>
              <tr>
                <th scope="col">{a.when}</th>
                <th scope="col">{a.event}</th>
                <th scope="col">{a.ip}</th>
              </tr>
            </thead>
            <tbody>
              {events.map((e) => (
                <tr>
                  <td>{e.at}</td>
                  <td>{a.events[e.kind] ?? e.kind}</td>
                  <td>{e.ip ?? '-'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </div>
    </Layout>
  );
}

/** The new-account form as entered, with per-field messages when it was refused. */
export interface CreateUserForm {
  values: { email: string; name: string; unit: string; role: string };
  errors?: Record<string, string[]>;
}

/** What the last action did: an account created or a link sent (with the link when no mail server is configured). */
export interface UsersNotice {
  text: string;
  link?: string;
}

const CREATE_FIELDS = ['email', 'name', 'unit', 'role'] as const;

/** Back-office user management: list with roles and status; create (with an invitation); add or remove a role; disable or enable; send a password link. */
export function AdminUsersPage({
  ctx,
  users,
  units,
  unitTitle,
  roles,
  createForm,
  notice,
}: {
  ctx: PageCtx;
  users: UserSummary[];
  units: { name: string; title: string }[];
  unitTitle: UnitTitle;
  roles: readonly User['roles'][number]['role'][];
  createForm?: CreateUserForm;
  notice?: UsersNotice;
}) {
  const a = accountMessages(ctx.lang);
  const values = createForm?.values ?? { email: '', name: '', unit: '', role: 'contact' };
  const errs = createForm?.errors ?? {};
  const fieldMsg = (f: string) => (errs[f] ?? []).map((m) => pickLang(m, ctx.lang)).join('；');
  const invalid = (f: string) => (errs[f]?.length ? { 'aria-invalid': 'true' as const, 'aria-describedby': `new-${f}-error` } : {});
  const errorOf = (f: string) =>
    errs[f]?.length ? (
      <span id={`new-${f}-error`} class="field-error">
        {fieldMsg(f)}
      </span>
    ) : null;
  const labels: Record<(typeof CREATE_FIELDS)[number], string> = { email: a.email, name: a.name, unit: a.unit, role: a.role };
  return (
    <Layout ctx={ctx} title={a.usersTitle} nav="none">
      <div class="container back-office">
        <h1>{a.usersTitle}</h1>
        <p>{a.usersLead}</p>
        {notice ? (
          <div class="notice" role="status">
            <p>{notice.text}</p>
            {notice.link ? (
              <p>
                {a.linkForAdmin}
                <br />
                <code class="one-time-link">{notice.link}</code>
              </p>
            ) : null}
          </div>
        ) : null}
        <table class="data">
          <thead>
            <tr>
              <th scope="col">{a.email}</th>
              <th scope="col">{a.name}</th>
              <th scope="col">{a.roles}</th>
              <th scope="col">{a.status}</th>
              <th scope="col">{a.actions}</th>
            </tr>
          </thead>
          <tbody>
            {users.map((u) => (
              <tr>
                <td>{u.email}</td>
                <td>{u.name}</td>
                <td>
                  <ul>
                    {u.roles.map((r) => {
                      const label = `${a.roleNames[r.role]}（${unitTitle(r.unit)}）`;
                      // Nobody changes their own roles (another admin must): no button that can only fail.
                      if (u.email === ctx.user?.email) return <li>{label}</li>;
                      return (
                        <li>
                          <form method="post" action={ctx.href('/admin/users/roles/remove')}>
                            {label}{' '}
                            <CsrfField ctx={ctx} />
                            <input type="hidden" name="email" value={u.email} />
                            <input type="hidden" name="unit" value={r.unit} />
                            <input type="hidden" name="role" value={r.role} />
                            <button type="submit" class="button button-secondary" aria-label={`${a.removeRole(label)}：${u.email}`}>
                              ×
                            </button>
                          </form>
                        </li>
                      );
                    })}
                  </ul>
                </td>
                <td>{u.disabledAt ? a.disabled : u.hasPassword ? a.active : a.pending}</td>
                <td>
                  <form method="post" action={ctx.href(u.disabledAt ? '/admin/users/enable' : '/admin/users/disable')}>
                    <CsrfField ctx={ctx} />
                    <input type="hidden" name="email" value={u.email} />
                    <button type="submit" class="button button-secondary" aria-label={`${u.disabledAt ? a.enable : a.disable} ${u.email}`}>
                      {u.disabledAt ? a.enable : a.disable}
                    </button>
                  </form>
                  {u.disabledAt ? null : (
                    <form method="post" action={ctx.href('/admin/users/password-link')}>
                      <CsrfField ctx={ctx} />
                      <input type="hidden" name="email" value={u.email} />
                      <button type="submit" class="button button-secondary" aria-label={`${a.sendLink} ${u.email}`}>
                        {a.sendLink}
                      </button>
                    </form>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
        <h2 id="new-account">{a.createTitle}</h2>
        <p>{a.createLead}</p>
        {Object.keys(errs).length > 0 ? (
          <div class="error-list" role="alert">
            <strong>{a.createErrorHeading}</strong>
            <ul>
              {CREATE_FIELDS.filter((f) => errs[f]?.length).map((f) => (
                <li>
                  <a href={`#new-${f}`}>{`${labels[f]}${ctx.m.colon}${fieldMsg(f)}`}</a>
                </li>
              ))}
              {Object.keys(errs)
                .filter((f) => !(CREATE_FIELDS as readonly string[]).includes(f))
                .map((f) => (
                  <li>{fieldMsg(f)}</li>
                ))}
            </ul>
          </div>
        ) : null}
        <form method="post" action={ctx.href('/admin/users/create')} class="form-stack" novalidate>
          <CsrfField ctx={ctx} />
          <p>
            <label for="new-email">{a.email}</label>
            <br />
            <input id="new-email" name="email" type="email" autocomplete="off" required value={values.email} {...invalid('email')} />
            {errorOf('email')}
          </p>
          <p>
            <label for="new-name">{a.name}</label>
            <br />
            <input id="new-name" name="name" type="text" required value={values.name} {...invalid('name')} />
            {errorOf('name')}
          </p>
          <p>
            <label for="new-unit">{a.unit}</label>
            <br />
            <select id="new-unit" name="unit" required {...invalid('unit')}>
              {units.map((u) => (
                <option value={u.name} selected={u.name === values.unit}>
                  {u.title}
                </option>
              ))}
            </select>
            {errorOf('unit')}
          </p>
          <p>
            <label for="new-role">{a.role}</label>
            <br />
            <select id="new-role" name="role" required {...invalid('role')}>
              {roles.map((r) => (
                <option value={r} selected={r === values.role}>{`${a.roleNames[r]}（${r}）`}</option>
              ))}
            </select>
            {errorOf('role')}
          </p>
          <p>
            <button type="submit" class="button">
              {a.createButton}
            </button>
          </p>
        </form>
        <h2>{a.addRoleTitle}</h2>
        <form method="post" action={ctx.href('/admin/users/roles')} class="form-stack">
          <CsrfField ctx={ctx} />
          <p>
            <label for="role-email">{a.email}</label>
            <br />
            <select id="role-email" name="email" required>
              {users.map((u) => (
                <option value={u.email}>{`${u.email}（${u.name}）`}</option>
              ))}
            </select>
          </p>
          <p>
            <label for="role-unit">{a.unit}</label>
            <br />
            <select id="role-unit" name="unit" required>
              {units.map((u) => (
                <option value={u.name}>{u.title}</option>
              ))}
            </select>
          </p>
          <p>
            <label for="role-role">{a.role}</label>
            <br />
            <select id="role-role" name="role" required>
              {roles.map((r) => (
                <option value={r}>{`${a.roleNames[r]}（${r}）`}</option>
              ))}
            </select>
          </p>
          <p>
            <button type="submit" class="button">
              {a.addRoleButton}
            </button>
          </p>
        </form>
      </div>
    </Layout>
  );
}

/** Setting a password through a one-time link (invitation or reset). */
export function PasswordPage({ ctx, token, owner, errors }: { ctx: PageCtx; token: string; owner: { email: string; name: string }; errors?: Record<string, string[]> }) {
  const a = accountMessages(ctx.lang);
  const msg = (f: string) => (errors?.[f] ?? []).map((m) => pickLang(m, ctx.lang)).join('；');
  const field = (id: 'password' | 'confirm', label: string, hint?: string) => (
    <p>
      <label for={id}>{label}</label>
      <br />
      {hint ? (
        <span id={`${id}-hint`} class="field-hint">
          {hint}
        </span>
      ) : null}
      <input
        id={id}
        name={id}
        type="password"
        autocomplete="new-password"
        required
        minLength={12}
        aria-invalid={errors?.[id]?.length ? 'true' : undefined}
        aria-describedby={[hint ? `${id}-hint` : '', errors?.[id]?.length ? `${id}-error` : ''].filter(Boolean).join(' ') || undefined}
      />
      {errors?.[id]?.length ? (
        <span id={`${id}-error`} class="field-error">
          {msg(id)}
        </span>
      ) : null}
    </p>
  );
  return (
    <Layout ctx={ctx} title={a.passwordTitle} nav="none">
      <div class="container">
        <div class="error-page">
          <h1>{a.passwordTitle}</h1>
          <p>{a.passwordLead(owner.name, owner.email)}</p>
          {errors && Object.keys(errors).length > 0 ? (
            <div class="error-list" role="alert">
              <strong>{a.passwordErrorHeading}</strong>
              {ctx.m.colon}
              {Object.keys(errors).map(msg).join('；')}
            </div>
          ) : null}
          <form method="post" action={ctx.href('/account/password')} class="form-stack" novalidate>
            <CsrfField ctx={ctx} />
            <input type="hidden" name="token" value={token} />
            <input type="text" name="username" autocomplete="username" value={owner.email} hidden readonly />
            {field('password', a.newPassword, a.newPasswordHint)}
            {field('confirm', a.confirmPassword)}
            <p>
              <button type="submit" class="button">
                {a.passwordButton}
              </button>
            </p>
          </form>
        </div>
      </div>
    </Layout>
  );
}
