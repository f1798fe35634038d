import { AppError } from '../../errors.ts';
import type { Role } from '../users/users.service.ts';

/**
 * Every access rule of the platform (MISSION C1, C3). Services ask `assertCan` before they change
 * or reveal anything non-public; nothing else decides who may do what.
 */
export const ACTIONS = [
  'dataset.read_nonpublic',
  'dataset.create',
  'dataset.edit',
  'dataset.submit',
  'dataset.approve',
  'dataset.return',
  'dataset.propose_discontinuation',
  'dataset.approve_discontinuation',
  'dataset.approve_withholding',
  'users.manage',
  'audit.read',
  'inventory.read',
  'inventory.edit',
  'inventory.compile',
  'inventory.approve',
  'followup.read',
  'calendar.manage',
  'advisory.read',
  'quality.override',
  'quality.report_agency',
] as const;
export type Action = (typeof ACTIONS)[number];

/** What the rules need to know about the person asking; `User` from UsersService fits. */
export interface Actor {
  id: string;
  roles: readonly { unit: string; role: Role }[];
}

/** What the rules need to know about the thing acted on. */
export interface Target {
  /** Unit name the dataset (or proposal, or inventory) belongs to. */
  unit?: string;
  /** Who submitted the work being decided on (submission, working copy, discontinuation proposal). */
  submittedBy?: string | null;
}

/** Decisions nobody may take on their own work, whatever roles they hold. */
const DECISIONS: ReadonlySet<Action> = new Set(['dataset.approve', 'dataset.return', 'dataset.approve_discontinuation', 'dataset.approve_withholding', 'inventory.approve', 'quality.override']);

/**
 * Decisions reserved to one office: the head of agency (機關首長) and the CIO (資訊長). The
 * open-data window admin runs the platform but does not take them (separation of duties).
 */
const RESERVED: Readonly<Partial<Record<Action, Role>>> = {
  'dataset.approve_discontinuation': 'head',
  'dataset.approve_withholding': 'head',
  'inventory.approve': 'cio',
};

/** Unit-scoped grants: the role may do the action for targets of the unit it holds the role in. */
const UNIT_GRANTS: Readonly<Partial<Record<Role, readonly Action[]>>> = {
  contact: ['dataset.read_nonpublic', 'dataset.create', 'dataset.edit', 'dataset.submit', 'dataset.propose_discontinuation', 'inventory.read', 'inventory.edit', 'followup.read'],
  reviewer: ['dataset.read_nonpublic', 'dataset.approve', 'dataset.return', 'quality.override', 'inventory.read', 'followup.read'],
};

/** Agency-wide grants: the role is held once (at the agency unit) and applies to every unit. */
const AGENCY_GRANTS: Readonly<Partial<Record<Role, readonly Action[]>>> = {
  head: ['dataset.read_nonpublic', 'dataset.approve_discontinuation', 'dataset.approve_withholding', 'quality.report_agency', 'inventory.read', 'followup.read'],
  cio: ['inventory.approve', 'quality.report_agency', 'inventory.read', 'followup.read'],
  advisor: ['advisory.read'],
};

function roleAllows(role: Role, roleUnit: string, action: Action, target: Target): boolean {
  const reserved = RESERVED[action];
  if (role === 'admin') return reserved === undefined;
  if (AGENCY_GRANTS[role]?.includes(action)) return true;
  if (UNIT_GRANTS[role]?.includes(action)) return target.unit !== undefined && target.unit === roleUnit;
  return false;
}

/** Whether `actor` (null = the anonymous public) may do `action` on `target`. */
export function can(actor: Actor | null | undefined, action: Action, target: Target = {}): boolean {
  if (!actor) return false;
  if (DECISIONS.has(action) && target.submittedBy && target.submittedBy === actor.id) return false;
  return actor.roles.some((r) => roleAllows(r.role, r.unit, action, target));
}

const ACTION_LABELS: Record<Action, [string, string]> = {
  'dataset.read_nonpublic': ['檢視未公開的資料集', 'view non-public datasets'],
  'dataset.create': ['新增資料集', 'create datasets'],
  'dataset.edit': ['編修資料集', 'edit datasets'],
  'dataset.submit': ['送審資料集', 'submit datasets for review'],
  'dataset.approve': ['核准資料集', 'approve datasets'],
  'dataset.return': ['退回資料集', 'return datasets'],
  'quality.override': ['核准帶有品質問題的資料公開', 'approve publishing despite a failing quality indicator'],
  'quality.report_agency': ['檢視全機關品質報告', 'read the agency quality report'],
  'dataset.propose_discontinuation': ['提議停止提供資料集', 'propose discontinuing datasets'],
  'dataset.approve_discontinuation': ['核定停止提供資料集', 'approve discontinuations'],
  'dataset.approve_withholding': ['核定不予提供', 'approve withholding'],
  'users.manage': ['管理帳號與角色', 'manage users and roles'],
  'audit.read': ['檢視稽核紀錄', 'read the audit trail'],
  'inventory.read': ['檢視資料盤點清單', 'read the data inventory'],
  'inventory.edit': ['編修資料盤點清單', 'edit the data inventory'],
  'inventory.compile': ['彙整或退回資料盤點清單', 'compile or return the data inventory'],
  'inventory.approve': ['核定資料盤點清單', 'approve the data inventory'],
  'followup.read': ['檢視逾期跟催清單', 'read the overdue follow-up list'],
  'calendar.manage': ['維護年度行事曆與辦公日曆', 'manage the annual and working-day calendars'],
  'advisory.read': ['檢視諮詢小組資料', 'read advisory-group material'],
};

/**
 * Throws unless `actor` may do `action`. `hidden` says the target is not public: a caller who may
 * not even read it gets 404 (its existence is not revealed) instead of 403.
 */
export function assertCan(actor: Actor | null | undefined, action: Action, target: Target = {}, opts: { hidden?: boolean } = {}): void {
  if (can(actor, action, target)) return;
  if (opts.hidden && !can(actor, 'dataset.read_nonpublic', target)) {
    throw new AppError('NOT_FOUND', 404, '找不到指定的項目', 'Not found');
  }
  const [zh, en] = ACTION_LABELS[action];
  // 403 rather than 401 for the public too: one status for "not allowed" across the security matrix.
  if (!actor) throw new AppError('FORBIDDEN', 403, `需要登入才能${zh}`, `You must sign in to ${en}`);
  if (DECISIONS.has(action) && target.submittedBy === actor.id) {
    throw new AppError('FORBIDDEN', 403, `不能審核自己送出的案件（${zh}）`, `You cannot decide on your own submission (${en})`);
  }
  throw new AppError('FORBIDDEN', 403, `您沒有權限${zh}${target.unit ? `（單位 ${target.unit}）` : ''}`, `You are not allowed to ${en}${target.unit ? ` (unit ${target.unit})` : ''}`);
}
