import type { ErrorBody } from '../../app.ts';
import type { PageCtx } from '../context.ts';
import { Layout } from '../layout.tsx';

/** The HTML form of an error: what went wrong, per parameter when we know, and where to go next. */
export function ErrorPage({ ctx, status, error }: { ctx: PageCtx; status: number; error: ErrorBody['error'] }) {
  const { m } = ctx;
  const [title, lead] =
    status === 404
      ? [m.errorNotFoundTitle, m.errorNotFoundLead]
      : status >= 500
        ? [m.errorServerTitle, m.errorServerLead]
        : status === 400
          ? [m.errorBadRequestTitle, m.errorBadRequestLead]
          : status === 403
            ? [m.errorForbiddenTitle, m.errorForbiddenLead]
            : status === 409
              ? [m.errorConflictTitle, m.errorConflictLead]
              : status === 410
                ? [m.errorGoneTitle, m.errorGoneLead]
                : [m.errorOtherTitle, m.errorOtherLead];
  const details = Object.entries(error.details ?? {});
  return (
    <Layout ctx={ctx} title={title} nav="none">
      <div class="container">
        <div class="error-page">
        <h1>{title}</h1>
        <p>{lead}</p>
        {details.length > 0 ? (
          <ul class="error-list">
            {details.flatMap(([field, messages]) =>
              messages.map((message) => (
                <li>
                  <code>{field}</code>{m.colon}{message}
                </li>
              )),
            )}
          </ul>
        ) : status < 500 ? (
          <p class="error-list">{error.message}</p>
        ) : null}
        <p class="code">
          {m.errorCode}{m.colon}<code>{error.code}</code>
          {ctx.lang === 'en' ? ` (HTTP ${status})` : `（HTTP ${status}）`}
        </p>
        <div class="actions">
          <a class="button" href={ctx.href('/')}>
            {m.errorGoHome}
          </a>
          <a class="button button-secondary" href={ctx.href('/datasets')}>
            {m.errorGoSearch}
          </a>
        </div>
        </div>
      </div>
    </Layout>
  );
}
