import type { ComponentChildren } from 'preact';
import { CLASSIFICATION_LABELS, SCHEDULE_STATUS_LABELS, SENSITIVITY_LABELS, SOURCE_LABELS, type Classification, type ScheduleStatus, type Sensitivity, type Source } from '../../../modules/inventory/inventory.types.ts';
import type { PageCtx } from '../../context.ts';
import { CsrfField } from '../signin.tsx';
import { inventoryMessages } from './inventory-messages.ts';

/** Small pieces the inventory, schedule and public list pages share. */

const en = (ctx: PageCtx): number => (ctx.lang === 'en' ? 1 : 0);
export const classificationLabel = (ctx: PageCtx, c: Classification): string => CLASSIFICATION_LABELS[c][en(ctx)];
export const sourceLabel = (ctx: PageCtx, s: Source): string => SOURCE_LABELS[s][en(ctx)];
export const sensitivityLabel = (ctx: PageCtx, s: Sensitivity): string => SENSITIVITY_LABELS[s][en(ctx)];

/** An inventory (or list) state as a badge: words first, the colour only repeats them. */
export function InventoryStateBadge({ ctx, state, list }: { ctx: PageCtx; state: string; list?: boolean }) {
  const w = inventoryMessages(ctx.lang);
  const label = (list ? w.listStates : w.states)[state] ?? state;
  const cls = state === 'compiled' ? 'submitted' : state === 'none' ? 'draft' : state;
  return <span class={`badge badge-state state-${/^[a-z_]+$/.test(cls) ? cls : 'other'}`}>{label}</span>;
}

/** A schedule status in words, with a symbol and colour that repeat it (never colour alone). */
export function ScheduleStatusBadge({ ctx, status }: { ctx: PageCtx; status: ScheduleStatus }) {
  const symbol = { opened: '✓', on_time: '○', due_soon: '!', late: '✕' }[status];
  return (
    <span class={`badge sched-status sched-${status}`}>
      <span aria-hidden="true">{symbol} </span>
      {SCHEDULE_STATUS_LABELS[status][en(ctx)]}
    </span>
  );
}

/** The "done" line after an action (?done=…). */
export function DoneNotice({ ctx, done, extra }: { ctx: PageCtx; done?: string; extra?: string }) {
  const text = done ? inventoryMessages(ctx.lang).done[done] : undefined;
  if (!text) return null;
  return (
    <p class="notice notice-ok" role="status">
      {text}
      {extra ? ` ${extra}` : ''}
    </p>
  );
}

/** A form that posts one action (with the CSRF field), as a single button. */
export function PostButton({ ctx, action, label, ariaLabel, secondary, children }: { ctx: PageCtx; action: string; label: string; ariaLabel?: string; secondary?: boolean; children?: ComponentChildren }) {
  return (
    <form method="post" action={ctx.href(action)} class="inline-form">
      <CsrfField ctx={ctx} />
      {children}
      <button type="submit" class={secondary ? 'button button-secondary' : 'button'} aria-label={ariaLabel}>
        {label}
      </button>
    </form>
  );
}

/** A return (退回) form: a required comment and the button. */
export function CommentForm({ ctx, action, id, label, button, value, error }: { ctx: PageCtx; action: string; id: string; label: string; button: string; value?: string; error?: string }) {
  return (
    <form method="post" action={ctx.href(action)} class="form-stack comment-form" novalidate>
      <CsrfField ctx={ctx} />
      <div class={`form-field${error ? ' has-error' : ''}`}>
        <label for={id}>{label}</label>
        {error ? (
          <p id={`${id}-error`} class="field-error">
            {error}
          </p>
        ) : null}
        <textarea id={id} name="comment" rows={2} required aria-invalid={error ? 'true' : undefined} aria-describedby={error ? `${id}-error` : undefined} value={value ?? ''} />
      </div>
      <button type="submit" class="button button-secondary">
        {button}
      </button>
    </form>
  );
}

/** Links to the neighbouring years of a page. */
export function YearNav({ ctx, year, href }: { ctx: PageCtx; year: number; href: (y: number) => string }) {
  const w = inventoryMessages(ctx.lang);
  return (
    <nav class="year-nav" aria-label={w.yearNav}>
      <ul>
        <li>
          <a href={href(year - 1)} rel="prev">
            ‹ {w.prevYear(year - 1)}
          </a>
        </li>
        <li aria-current="page">{year}</li>
        <li>
          <a href={href(year + 1)} rel="next">
            {w.nextYear(year + 1)} ›
          </a>
        </li>
      </ul>
    </nav>
  );
}
