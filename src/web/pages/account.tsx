import type { User, UserSummary } from '../../modules/users/users.service.ts';
import type { PageCtx } from '../context.ts';
import { Layout } from '../layout.tsx';
import { accountMessages } from './account-messages.ts';
import { CsrfField } from './signin.tsx';

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

/** Back-office user management: list with roles and status; add or remove a role; disable or enable. */
export function AdminUsersPage({ ctx, users, units, unitTitle, roles }: { ctx: PageCtx; users: UserSummary[]; units: { name: string; title: string }[]; unitTitle: UnitTitle; roles: readonly User['roles'][number]['role'][] }) {
  const a = accountMessages(ctx.lang);
  return (
    <Layout ctx={ctx} title={a.usersTitle} nav="none">
      <div class="container back-office">
        <h1>{a.usersTitle}</h1>
        <p>{a.usersLead}</p>
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
                <td>{u.disabledAt ? a.disabled : a.active}</td>
                <td>
                  <form method="post" action={ctx.href(u.disabledAt ? '/admin/users/enable' : '/admin/users/disable')}>
                    <CsrfField ctx={ctx} />
                    <input type="hidden" name="email" value={u.email} />
                    <button type="submit" class="button button-secondary" aria-label={`${u.disabledAt ? a.enable : a.disable} ${u.email}`}>
                      {u.disabledAt ? a.enable : a.disable}
                    </button>
                  </form>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
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
