import type { PageCtx } from '../context.ts';
import { Layout } from '../layout.tsx';
import { accountMessages } from './account-messages.ts';

/** The hidden CSRF field every form posting with the session carries. */
export function CsrfField({ ctx }: { ctx: PageCtx }) {
  return ctx.csrfToken ? <input type="hidden" name="_csrf" value={ctx.csrfToken} /> : null;
}

export interface SignInForm {
  email: string;
  next: string;
  /** A whole-form error (wrong credentials, locked). */
  error?: string;
  /** Per-field errors (missing values). */
  fields?: { email?: string; password?: string };
}

/** Sign-in: two labelled fields, errors announced and tied to their fields; works without JavaScript. */
export function SignInPage({ ctx, form }: { ctx: PageCtx; form: SignInForm }) {
  const a = accountMessages(ctx.lang);
  const fieldError = (id: 'email' | 'password') => {
    const msg = form.fields?.[id];
    return msg ? (
      <p id={`${id}-error`} class="field-error">
        {msg}
      </p>
    ) : null;
  };
  const describedBy = (id: 'email' | 'password') => [form.fields?.[id] ? `${id}-error` : '', form.error ? 'signin-error' : ''].filter(Boolean).join(' ') || undefined;
  return (
    <Layout ctx={ctx} title={a.signInTitle} nav="none">
      <div class="container">
        <div class="error-page">
          <h1>{a.signInTitle}</h1>
          <p>{a.signInLead}</p>
          {ctx.user ? <p>{a.alreadySignedIn(ctx.user.name)}</p> : null}
          {form.error ? (
            <div id="signin-error" class="error-list" role="alert">
              <strong>{a.errorHeading}</strong>
              {ctx.m.colon}
              {form.error}
            </div>
          ) : null}
          <form method="post" action={ctx.href('/signin')} class="signin-form form-stack" novalidate>
            <CsrfField ctx={ctx} />
            <input type="hidden" name="next" value={form.next} />
            <p>
              <label for="email">{a.email}</label>
              <br />
              <input id="email" name="email" type="email" autocomplete="username" required value={form.email} aria-invalid={form.fields?.email || form.error ? 'true' : undefined} aria-describedby={describedBy('email')} />
              {fieldError('email')}
            </p>
            <p>
              <label for="password">{a.password}</label>
              <br />
              <input id="password" name="password" type="password" autocomplete="current-password" required aria-invalid={form.fields?.password || form.error ? 'true' : undefined} aria-describedby={describedBy('password')} />
              {fieldError('password')}
            </p>
            <p>
              <button type="submit" class="button">
                {a.signInButton}
              </button>
            </p>
          </form>
        </div>
      </div>
    </Layout>
  );
}
