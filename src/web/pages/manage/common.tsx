import type { PageCtx } from '../../context.ts';
import { manageMessages } from './manage-messages.ts';

/** A dataset (or working copy) state as a labelled badge; the class gives each state its colour. */
export function StateBadge({ ctx, state }: { ctx: PageCtx; state: string }) {
  const mm = manageMessages(ctx.lang);
  return <span class={`badge badge-state state-${/^[a-z_]+$/.test(state) ? state : 'other'}`}>{mm.states[state] ?? state}</span>;
}

/** The working copy of a published dataset, as a second badge. */
export function CopyBadge({ ctx, state }: { ctx: PageCtx; state: string }) {
  const mm = manageMessages(ctx.lang);
  return <span class={`badge badge-state state-${/^[a-z_]+$/.test(state) ? state : 'other'}`}>{mm.workingCopy(mm.states[state] ?? state)}</span>;
}

export const manageHref = (name: string, suffix = ''): string => `/manage/datasets/${encodeURIComponent(name)}${suffix}`;

/** ISO timestamp → "YYYY-MM-DD hh:mm" (UTC as stored), readable in a table. */
export const shortTime = (iso: string | null): string => (iso ? iso.replace('T', ' ').slice(0, 16) : '');
