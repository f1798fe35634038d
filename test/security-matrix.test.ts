import { Readable } from 'node:stream';
import type { LightMyRequestResponse } from 'fastify';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { publishPendingVersions } from '../src/modules/datastore/datastore.service.ts';
import { parseItems } from '../src/modules/inventory/inventory.validation.ts';
import { sessionCookieName } from '../src/modules/accounts/accounts.http.ts';
import type { User } from '../src/modules/users/users.service.ts';
import { resourceFieldName, valuesOf } from '../src/web/pages/manage/dataset-form.tsx';
import { datasetInput } from './factories/dataset.ts';
import { engines, makeApp } from './helpers/env.ts';
// Issue 6, annual calendar.
import { taipeiDate } from '../src/time.ts';

/*
 * Route × role security matrix (issue 3): every mutating route of the app (web forms, /api/v1,
 * both CKAN mounts) called by every kind of caller, over real HTTP (app.inject) on a real database.
 *
 * ─── The table (MATRIX below) ──────────────────────────────────────────────────────────────────
 * One line per route, keyed by `METHOD path` exactly as Fastify registered it (`:id` included):
 *
 *   'POST /api/v1/datasets/:id/submit': row('draft', [D, D, D, A, D, D, A]),
 *                                           target   anon none other contact reviewer head admin
 *
 * - target: which fresh thing each call acts on, made by SETUP[target] through the services (a new
 *   one for every call, so order never matters). `:id` in the path becomes its `id` (use `:id` for
 *   the one path parameter, or extend `send`). Add a kind to TargetKind and a function to SETUP
 *   when a route acts on something new, e.g. for discontinuation:
 *     TargetKind … | 'proposal'
 *     SETUP.proposal = async () => { const d = await SETUP.published(); … propose as `contact` …; return { id: d.id }; }
 *     'POST /api/v1/datasets/:id/discontinuation': row('published', [D, D, D, A, D, D, D], () => ({ kind: 'stop', … })),
 * - the outcomes, one per caller in CALLERS order:
 *     anon      nobody signed in
 *     none      signed in, holds no role
 *     other     contact of another unit (accounting)
 *     contact   contact of the target's unit (statistics); also who drafted and submitted it
 *     reviewer  reviewer of the target's unit
 *     head      head of agency (機關首長, held at the agency unit)
 *     admin     the platform admin (open-data window)
 *   D = 'denied'   401, 403 or 404; on a web form also a 303 to /signin?next=… (the sign-in wall)
 *   A = 'allowed'  2xx, or 3xx that is not the sign-in wall
 *   'allowed-409' (or -400 …) the route answered exactly that status: a validation or state error
 *                 that proves the access check let the caller through (say which in a comment,
 *                 e.g. "the reviewer may decide, but not twice: 409 INVALID_TRANSITION")
 *   Every denied call must also leave nothing changed (audit trail, sessions, read marks).
 * - the third argument builds the body from the target (JSON for /api, a form for pages; the
 *   runner adds `_csrf` for signed-in page callers); options: { endsSession } for routes that end
 *   the caller's session (they get a fresh one).
 *
 * Callers use API tokens on /api routes (Bearer on /api/v1, the raw token on CKAN as ckanapi
 * sends it) and cookie sessions with the CSRF token on pages. Besides the matrix, every route is
 * swept for: a cookie session without (or with a wrong) CSRF token → 403 naming `_csrf`, on API
 * routes too; a cross-site post (another site's Origin or "null"; urlencoded, text/plain and
 * multipart bodies; with and without the victim's cookie) → changes nothing, sets no session, gets
 * no CORS grant. The inventory test fails on a mutating route missing from the table, and on a
 * table line whose route no longer exists; every GET route is checked to change nothing.
 *
 * What CSRF protection promises here (src/modules/accounts/accounts.http.ts): a request
 * authenticated by the session cookie with a state-changing method must carry the session's token
 * (`_csrf` field or X-CSRF-Token header), whatever its Origin; API-token requests are exempt (a
 * browser never adds Authorization by itself; there is no CORS). Only sign-in, which has no
 * session yet, checks Origin (login CSRF).
 */

const CALLERS = ['anon', 'none', 'other', 'contact', 'reviewer', 'head', 'admin'] as const;
type Caller = (typeof CALLERS)[number];
type Outcome = 'denied' | 'allowed' | `allowed-${number}`;
const D = 'denied';
const A = 'allowed';

/** Methods that change state. No GET route of the app changes state (checked when this was written: reads, redirects, CKAN's "use POST" answers). */
const MUTATING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

interface Target {
  /** What `:id` in the path becomes. */
  id: string;
  /** A resource's national id (資料資源編號), for CKAN resource actions. */
  resourceId?: string;
  /** An account the route acts on, and its password where it has one. */
  email?: string;
  password?: string;
  /** A dataset's URL name, for `:name` in back-office paths. */
  name?: string;
  /** A one-time password link's token. */
  token?: string;
  /** A discontinuation proposal's id, for `:pid`. */
  pid?: string;
  /** Inventory (issue 6): the year, unit and item of `:year`, `:unit`, `:itemId`. */
  year?: number;
  unit?: string;
  itemId?: string;
}
type TargetKind =
  | 'nothing'
  | 'draft'
  | 'submitted'
  | 'published'
  | 'contactNotification'
  | 'user'
  | 'disabledUser'
  | 'userWithRole'
  | 'passwordUser'
  | 'passwordLink'
  | 'proposal'
  | 'table'
  // Inventory (issue 6): statistics' inventory of a fresh year, in each state; an approved open item.
  | 'inventoryDraft'
  | 'inventorySubmitted'
  | 'inventoryCompiled'
  | 'inventoryApproved'
  // Issue 6, annual calendar.
  | 'calendarTask'
  | 'addedCalendarTask';
type Body = (t: Target) => Record<string, unknown>;

interface Row {
  target: TargetKind;
  outcomes: Record<Caller, Outcome>;
  body: Body;
  endsSession: boolean;
}

function row(target: TargetKind, outcomes: readonly Outcome[], body: Body = () => ({}), opts: { endsSession?: boolean } = {}): Row {
  if (outcomes.length !== CALLERS.length) throw new Error(`a matrix row needs ${CALLERS.length} outcomes (${CALLERS.join(', ')})`);
  return { target, outcomes: Object.fromEntries(CALLERS.map((c, i) => [c, outcomes[i]])) as Record<Caller, Outcome>, body, endsSession: opts.endsSession === true };
}

let serial = 0;
const unique = () => `${Date.now().toString(36)}${(serial++).toString(36)}`;

/** A package dict as a CKAN client writes it, for the statistics unit. */
const ckanPackage = (over: Record<string, unknown> = {}) => ({
  name: `sec-${unique()}`,
  title: '安全矩陣測試資料集',
  notes: '供權限矩陣測試。',
  owner_org: 'statistics',
  extras: [
    { key: 'category_code', value: '800' },
    { key: 'update_frequency', value: '每1年' },
    { key: 'field_description', value: '年度、數值' },
    { key: 'publisher_contact_name', value: '王小明 先生' },
  ],
  resources: [{ url: 'https://example.gov.tw/sec.csv', format: 'CSV', name: '測試 CSV' }],
  ...over,
});
const ckanResource = { url: 'https://example.gov.tw/sec-2.csv', format: 'CSV', name: '測試 CSV 2' };
const byId: Body = (t) => ({ id: t.id });
/** The back-office editor's form for a dataset input, as the page posts it. */
const editorForm = (over: Parameters<typeof datasetInput>[0] = {}): Record<string, unknown> => {
  const v = valuesOf(datasetInput(over));
  const form: Record<string, unknown> = { ...v.fields, resourceCount: String(v.resources.length) };
  v.resources.forEach((r, i) => {
    for (const [k, val] of Object.entries(r)) form[resourceFieldName(i, k)] = val;
  });
  return form;
};
/** An inventory item as the API takes it (issue 6). */
const inventoryItem = (name: string) => ({ name, source: '資料庫', classification: '開放資料', sensitivity: '低', plannedDate: '2026-06-30' });
/** Issue 6, annual calendar: a task as its form posts it (this year's dates). */
const calendarTaskForm = () => {
  const year = taipeiDate().slice(0, 4);
  return { title: '矩陣測試工作項目', titleEn: 'Matrix test task', ownerLabel: '主計資訊處', startsOn: `${year}-06-01`, dueOn: `${year}-06-30`, description: '' };
};
/** A discontinuation proposal as its form posts it (and as the API takes it). */
const discontinuationForm = { kind: 'stop', reasons: '調查已停辦', meetingDate: '2026-11-20', resolution: '會議決議同意停止提供' };
const roleOf: Body = (t) => ({ email: t.email, unit: 'census', role: 'reviewer' });
const emailOf: Body = (t) => ({ email: t.email });

/** CKAN actions, the same on both mounts (/api/3/action and ckanapi's /api/action). */
const ckanRows = (prefix: string): Record<string, Row> => ({
  // Read actions are POST too (CKAN clients post JSON); the public may call them.
  [`POST ${prefix}/package_search`]: row('nothing', [A, A, A, A, A, A, A], () => ({ q: '測試' })),
  // A draft: only who may read its unit's non-public datasets sees it.
  [`POST ${prefix}/package_show`]: row('draft', [D, D, D, A, A, A, A], byId),
  [`POST ${prefix}/package_list`]: row('nothing', [A, A, A, A, A, A, A]),
  [`POST ${prefix}/current_package_list_with_resources`]: row('nothing', [A, A, A, A, A, A, A]),
  [`POST ${prefix}/organization_list`]: row('nothing', [A, A, A, A, A, A, A]),
  [`POST ${prefix}/organization_show`]: row('nothing', [A, A, A, A, A, A, A], () => ({ id: 'statistics' })),
  [`POST ${prefix}/tag_list`]: row('nothing', [A, A, A, A, A, A, A]),
  [`POST ${prefix}/resource_show`]: row('published', [A, A, A, A, A, A, A], (t) => ({ id: t.resourceId })),
  [`POST ${prefix}/status_show`]: row('nothing', [A, A, A, A, A, A, A]),
  [`POST ${prefix}/group_list`]: row('nothing', [A, A, A, A, A, A, A]),
  // The datastore: public tables of published datasets, read by anyone.
  [`POST ${prefix}/datastore_search`]: row('table', [A, A, A, A, A, A, A], (t) => ({ resource_id: t.resourceId })),
  [`POST ${prefix}/datastore_info`]: row('table', [A, A, A, A, A, A, A], (t) => ({ resource_id: t.resourceId })),
  [`POST ${prefix}/help_show`]: row('nothing', [A, A, A, A, A, A, A], () => ({ name: 'package_show' })),
  // Writes: an API token of a contact of the unit (or the admin); drafts and working copies only.
  [`POST ${prefix}/package_create`]: row('nothing', [D, D, D, A, D, D, A], () => ckanPackage()),
  [`POST ${prefix}/package_update`]: row('draft', [D, D, D, A, D, D, A], (t) => ckanPackage({ id: t.id, name: undefined })),
  // On a published dataset: makes a working copy.
  [`POST ${prefix}/package_patch`]: row('published', [D, D, D, A, D, D, A], (t) => ({ id: t.id, title: '改過的標題' })),
  [`POST ${prefix}/resource_create`]: row('draft', [D, D, D, A, D, D, A], (t) => ({ package_id: t.id, ...ckanResource })),
  [`POST ${prefix}/resource_update`]: row('draft', [D, D, D, A, D, D, A], (t) => ({ id: t.resourceId, ...ckanResource })),
  // Deleting is discontinuation (a later workflow); these are refused to everyone.
  [`POST ${prefix}/package_delete`]: row('published', [D, D, D, D, D, D, D], byId),
  [`POST ${prefix}/resource_delete`]: row('published', [D, D, D, D, D, D, D], (t) => ({ id: t.resourceId })),
  [`POST ${prefix}/package_revise`]: row('published', [D, D, D, D, D, D, D], (t) => ({ match: { id: t.id }, update: { title: 'x' } })),
  [`POST ${prefix}/resource_patch`]: row('published', [D, D, D, D, D, D, D], (t) => ({ id: t.resourceId, name: 'x' })),
});

// Outcomes in CALLERS order: anon, none, other, contact, reviewer, head, admin.
const MATRIX: Record<string, Row> = {
  // The review gate, /api/v1.
  'POST /api/v1/datasets': row('nothing', [D, D, D, A, D, D, A], () => ({ ...datasetInput() })),
  'PUT /api/v1/datasets/:id': row('draft', [D, D, D, A, D, D, A], () => ({ ...datasetInput({ title: '編修後的標題' }) })),
  'POST /api/v1/datasets/:id/submit': row('draft', [D, D, D, A, D, D, A]),
  // The contact submitted it: never theirs to approve or return, whatever roles they hold.
  'POST /api/v1/datasets/:id/approve': row('submitted', [D, D, D, D, A, D, A]),
  'POST /api/v1/datasets/:id/return': row('submitted', [D, D, D, D, A, D, A], () => ({ comment: '請補充欄位說明' })),
  // Discontinuation: the unit's contact (or the admin) proposes; only the head decides, never on
  // their own proposal; the admin does not take the head's decision; only the proposer withdraws.
  'POST /api/v1/datasets/:id/discontinuation': row('published', [D, D, D, A, D, D, A], () => ({
    kind: 'stop',
    reasons: '調查已停辦',
    meetingDate: '2026-10-01',
    resolution: '諮詢小組同意停止提供',
  })),
  'POST /api/v1/discontinuations/:pid/approve': row('proposal', [D, D, D, D, D, A, D]),
  'POST /api/v1/discontinuations/:pid/reject': row('proposal', [D, D, D, D, D, A, D], () => ({ comment: '請再評估' })),
  'POST /api/v1/discontinuations/:pid/withdraw': row('proposal', [D, D, D, A, D, D, D]),
  // Uploads: whoever may edit the dataset; without a multipart body the route answers 400 after the access check.
  'POST /api/v1/datasets/:id/resources/:rid/versions': row('draft', [D, D, D, 'allowed-400', D, D, 'allowed-400']),
  // The data dictionary: whoever may edit the dataset (the change goes to its working copy).
  'PUT /api/v1/resources/:rid/dictionary': row('table', [D, D, D, A, D, D, A], () => ({ fields: [{ name: '年', title: '年度' }] })),
  // A quality check on request: whoever may edit or review the dataset (queued).
  'POST /api/v1/datasets/:id/resources/:rid/quality': row('draft', [D, D, D, A, A, D, A]),
  // Only its owner marks a notification read, the admin included (404 for everyone else).
  'POST /api/v1/me/notifications/:id/read': row('contactNotification', [D, D, D, A, D, D, D]),

  ...ckanRows('/api/3/action'),
  ...ckanRows('/api/action'),

  // Pages (forms). Sign-in is open to all (its own Origin check stops other sites' forms); sign-out ends what session there is.
  'POST /signin': row('passwordUser', [A, A, A, A, A, A, A], (t) => ({ email: t.email, password: t.password }), { endsSession: true }),
  'POST /signout': row('nothing', [A, A, A, A, A, A, A], () => ({}), { endsSession: true }),
  'POST /account/signout-all': row('nothing', [D, A, A, A, A, A, A], () => ({}), { endsSession: true }),
  'POST /admin/users/roles': row('user', [D, D, D, D, D, D, A], roleOf),
  'POST /admin/users/roles/remove': row('userWithRole', [D, D, D, D, D, D, A], roleOf),
  'POST /admin/users/disable': row('user', [D, D, D, D, D, D, A], emailOf),
  'POST /admin/users/enable': row('disabledUser', [D, D, D, D, D, D, A], emailOf),
  // The back office (/manage); `:name` is the dataset's name.
  'POST /manage/datasets/new': row('nothing', [D, D, D, A, D, D, A], () => editorForm()),
  'POST /manage/datasets/:name/edit': row('draft', [D, D, D, A, D, D, A], () => editorForm({ title: '後台編修的標題' })),
  'POST /manage/datasets/:name/submit': row('draft', [D, D, D, A, D, D, A]),
  'POST /manage/datasets/:name/approve': row('submitted', [D, D, D, D, A, D, A]),
  'POST /manage/datasets/:name/return': row('submitted', [D, D, D, D, A, D, A], () => ({ comment: '請補充欄位說明' })),
  'POST /admin/users/create': row('nothing', [D, D, D, D, D, D, A], () => ({ email: `n-${unique()}@matrix.test`, name: '新帳號', unit: 'census', role: 'contact' })),
  'POST /admin/users/password-link': row('user', [D, D, D, D, D, D, A], emailOf),
  // The one-time link is the credential: whoever holds it sets that account's password, signed in or not.
  'POST /account/password': row('passwordLink', [A, A, A, A, A, A, A], (t) => ({ token: t.token, password: 'link-password-12345', confirm: 'link-password-12345' })),

  // Back office: discontinuation. `:name` is the dataset's name, `:pid` the open proposal's id (the contact proposed it).
  'POST /manage/datasets/:name/discontinue': row('published', [D, D, D, A, D, D, A], () => ({ ...discontinuationForm })),
  // The head's alone (reserved: not even the admin), never on their own proposal.
  'POST /manage/discontinuations/:pid/approve': row('proposal', [D, D, D, D, D, A, D]),
  'POST /manage/discontinuations/:pid/reject': row('proposal', [D, D, D, D, D, A, D], () => ({ comment: '仍有使用者需要' })),
  // Only whoever proposed it.
  'POST /manage/discontinuations/:pid/withdraw': row('proposal', [D, D, D, A, D, D, D]),

  // Back office: data files. `:rid` is the dataset's first resource. The upload form is multipart;
  // posted as a plain form it carries no file, which whoever may upload hears as 400 after the access check.
  'POST /manage/datasets/:name/resources/:rid/upload': row('draft', [D, D, D, 'allowed-400', D, D, 'allowed-400']),
  // The dictionary form (the table's first column is 年): whoever may edit the dataset; the change goes to its working copy.
  'POST /manage/datasets/:name/resources/:rid/dictionary': row('table', [D, D, D, A, D, D, A], () => ({ version: '1', columnCount: '1', 'c0.name': '年', 'c0.title': '年度' })),

  // Quality (issue 5). "Check again": the people of the dataset's unit, and who reads every unit's work (head, admin).
  'POST /manage/datasets/:name/quality/check': row('published', [D, D, D, A, A, A, A], (t) => ({ resourceId: t.resourceId ?? '', from: 'manage' })),
  // The override: a reviewer of the unit (or the admin), never on their own submission; nothing fails
  // on a fresh submission, so who may override hears 409 NOTHING_TO_OVERRIDE after the access check.
  'POST /manage/datasets/:name/quality/override': row('submitted', [D, D, D, D, 'allowed-409', D, 'allowed-409'], (t) => ({ resourceId: t.resourceId ?? '', indicator: 'personal_data', reason: '依法公開的負責人姓名資料' })),

  // Inventory (issue 6), /api/v1. The unit's contact (or the window) edits, submits and reopens; the
  // window returns and compiles; only the CIO approves or returns the list (no caller here is one:
  // the window runs the platform but does not take that decision). `:year` is a fresh year per call.
  'PUT /api/v1/inventories/:year/units/:unit/items': row('inventoryDraft', [D, D, D, A, D, D, A], () => [inventoryItem('矩陣匯入項目')] as unknown as Record<string, unknown>),
  'POST /api/v1/inventories/:year/units/:unit/items': row('inventoryDraft', [D, D, D, A, D, D, A], () => inventoryItem('矩陣新增項目')),
  'PUT /api/v1/inventories/:year/units/:unit/items/:itemId': row('inventoryDraft', [D, D, D, A, D, D, A], () => inventoryItem('矩陣修改項目')),
  'DELETE /api/v1/inventories/:year/units/:unit/items/:itemId': row('inventoryDraft', [D, D, D, A, D, D, A]),
  'POST /api/v1/inventories/:year/units/:unit/submit': row('inventoryDraft', [D, D, D, A, D, D, A]),
  'POST /api/v1/inventories/:year/units/:unit/reopen': row('inventoryApproved', [D, D, D, A, D, D, A]),
  'POST /api/v1/inventories/:year/units/:unit/return': row('inventorySubmitted', [D, D, D, D, D, D, A], () => ({ comment: '請補資料說明' })),
  'POST /api/v1/inventories/:year/compile': row('inventorySubmitted', [D, D, D, D, D, D, A]),
  'POST /api/v1/inventories/:year/approve': row('inventoryCompiled', [D, D, D, D, D, D, D]),
  'POST /api/v1/inventories/:year/return': row('inventoryCompiled', [D, D, D, D, D, D, D], () => ({ comment: '請補充' })),
  // A dataset draft from an approved open item: whoever may create datasets in its unit.
  'POST /api/v1/inventory-items/:itemId/dataset': row('inventoryApproved', [D, D, D, A, D, D, A]),
  // Issue 6, annual calendar (年度行事曆): the admin alone (calendar.manage); `:id` is a task of this year.
  'POST /manage/calendar/tasks': row('nothing', [D, D, D, D, D, D, A], () => ({ ...calendarTaskForm(), year: taipeiDate().slice(0, 4) })),
  'POST /manage/calendar/tasks/:id': row('calendarTask', [D, D, D, D, D, D, A], () => calendarTaskForm()),
  'POST /manage/calendar/tasks/:id/done': row('calendarTask', [D, D, D, D, D, D, A]),
  'POST /manage/calendar/tasks/:id/reopen': row('calendarTask', [D, D, D, D, D, D, A]),
  // Only tasks the admin added are removed (the plan's own answer 409 CALENDAR_TASK_FROM_PLAN).
  'POST /manage/calendar/tasks/:id/remove': row('addedCalendarTask', [D, D, D, D, D, D, A]),
  // Loading a year's working-day calendar (a test year nobody else uses).
  'POST /manage/calendar/working-days': row('nothing', [D, D, D, D, D, D, A], () => ({ year: '2030', json: JSON.stringify({ year: 2030, title: '矩陣測試', source: '矩陣測試用', holidays: [], workdays: [] }) })),

  // Inventory (issue 6), back-office pages. As the API: the unit's contact (or the window) edits,
  // imports, submits and reopens; the window returns and compiles; only the CIO approves or returns
  // the list. The item form posts ITEM_FIELDS by id.
  'POST /manage/inventory/:year/:unit/items/new': row('inventoryDraft', [D, D, D, A, D, D, A], () => ({ name: '矩陣表單新增項目', source: 'database', classification: 'open', sensitivity: 'low', plannedDate: '2026-06-30' })),
  'POST /manage/inventory/:year/:unit/items/:itemId/edit': row('inventoryDraft', [D, D, D, A, D, D, A], () => ({ name: '矩陣表單修改項目', source: 'database', classification: 'open', sensitivity: 'low', plannedDate: '2026-06-30' })),
  'POST /manage/inventory/:year/:unit/items/:itemId/delete': row('inventoryDraft', [D, D, D, A, D, D, A]),
  // The upload form is multipart; posted as a plain form it carries no file: 400 at the file control after the access check.
  'POST /manage/inventory/:year/:unit/upload': row('inventoryDraft', [D, D, D, 'allowed-400', D, D, 'allowed-400']),
  // "Start from last year" on a list that has items: 409 INVENTORY_NOT_EMPTY after the access check.
  'POST /manage/inventory/:year/:unit/start-from': row('inventoryDraft', [D, D, D, 'allowed-409', D, D, 'allowed-409']),
  'POST /manage/inventory/:year/:unit/submit': row('inventoryDraft', [D, D, D, A, D, D, A]),
  'POST /manage/inventory/:year/:unit/reopen': row('inventoryApproved', [D, D, D, A, D, D, A]),
  'POST /manage/inventory/:year/:unit/return': row('inventorySubmitted', [D, D, D, D, D, D, A], () => ({ comment: '請補資料說明' })),
  'POST /manage/inventory/:year/compile': row('inventorySubmitted', [D, D, D, D, D, D, A]),
  'POST /manage/inventory/:year/approve': row('inventoryCompiled', [D, D, D, D, D, D, D]),
  'POST /manage/inventory/:year/return-list': row('inventoryCompiled', [D, D, D, D, D, D, D], () => ({ comment: '請補充' })),
  // The schedule's "建立資料集草稿": whoever may create datasets in the item's unit.
  'POST /manage/schedule/items/:itemId/dataset': row('inventoryApproved', [D, D, D, A, D, D, A]),
};

/** The path with the target's ids in place of `:id`, `:name` (a dataset's name) and `:pid` (a proposal). */
const urlOf = (path: string, tg: Target): string =>
  path
    .replace(':id', encodeURIComponent(tg.id))
    .replace(':name', encodeURIComponent(tg.name ?? tg.id))
    .replace(':pid', encodeURIComponent(tg.pid ?? tg.id))
    .replace(':rid', encodeURIComponent(tg.resourceId ?? ''))
    .replace(':year', String(tg.year ?? 2026))
    .replace(':unit', tg.unit ?? 'statistics')
    .replace(':itemId', encodeURIComponent(tg.itemId ?? ''));
const isApi = (path: string) => path.startsWith('/api/');
const isCkan = (path: string) => path.startsWith('/api/3/action/') || path.startsWith('/api/action/');
const splitKey = (key: string): { method: string; path: string } => {
  const [method = '', path = ''] = key.split(' ');
  return { method, path };
};

/** The outcome class of an answer; anything else (5xx, an unexpected 4xx) shows as its status. */
function classify(res: LightMyRequestResponse): Outcome {
  const s = res.statusCode;
  if (s === 401 || s === 403 || s === 404) return 'denied';
  const location = String(res.headers.location ?? '');
  if (s >= 300 && s < 400 && /^\/signin\?(?:.*&)?next=/.test(location)) return 'denied';
  if (s >= 200 && s < 400) return 'allowed';
  return `allowed-${s}`;
}

describe.each(engines)('security matrix (%s)', (engine) => {
  let t: Awaited<ReturnType<typeof makeApp>>;
  const people = {} as Record<Exclude<Caller, 'anon'>, { email: string; password: string; token: string }>;
  const sessions = new Map<Caller, { cookie: string; csrf: string }>();
  let contact: User;
  let reviewer: User;
  // Inventory (issue 6): the window and a CIO for the setups; each inventory target gets its own year.
  let windowAdmin: User;
  let cio: User;
  let inventoryYear = 2300;

  const EMAILS: Record<Exclude<Caller, 'anon' | 'admin'>, { unit: string; role: string }> = {
    none: { unit: 'statistics', role: 'contact' }, // the role is taken away again below
    other: { unit: 'accounting', role: 'contact' },
    contact: { unit: 'statistics', role: 'contact' },
    reviewer: { unit: 'statistics', role: 'reviewer' },
    head: { unit: 'dgbas', role: 'head' },
  };

  beforeAll(async () => {
    t = await makeApp(engine);
    const { users, config } = t.services;
    const admin = await users.findByEmail(config.adminEmail);
    if (!admin) throw new Error('no admin');
    const by = { id: admin.id, label: admin.email };
    people.admin = { email: config.adminEmail, password: 'admin-password-for-tests', token: (await users.createToken(config.adminEmail)).token };
    for (const [caller, { unit, role }] of Object.entries(EMAILS) as [keyof typeof EMAILS, { unit: string; role: string }][]) {
      const email = `${caller}@matrix.test`;
      const password = `${caller}-password-matrix`;
      await users.create({ email, name: `矩陣 ${caller}`, password, unit, role }, by);
      people[caller] = { email, password, token: (await users.createToken(email)).token };
    }
    await users.removeRole(people.none.email, 'statistics', 'contact', by);
    const found = async (email: string) => {
      const u = await users.findByEmail(email);
      if (!u) throw new Error(`no ${email}`);
      return u;
    };
    contact = await found(people.contact.email);
    reviewer = await found(people.reviewer.email);
    windowAdmin = await found(config.adminEmail);
    await users.create({ email: 'cio@matrix.test', name: '矩陣 資訊長', unit: 'dgbas', role: 'cio' }, by);
    cio = await found('cio@matrix.test');
    expect((await found(people.none.email)).roles).toEqual([]);
  });
  afterAll(async () => t.cleanup());

  /* ---- Targets: each call gets a fresh one, made through the services. ---- */

  const draft = async (): Promise<Target> => {
    const { id } = await t.services.review.createDraft(contact, datasetInput());
    const d = await t.services.catalogue.get(id, { includeNonPublic: true });
    return { id, name: d.name, resourceId: d.resources[0]?.resourceId };
  };
  const submitted = async (): Promise<Target> => {
    const d = await draft();
    await t.services.review.submit(contact, d.id);
    return d;
  };
  const newUser = async (over: { password?: string } = {}): Promise<Target> => {
    const email = `u-${unique()}@matrix.test`;
    await t.services.users.create({ email, name: '矩陣對象', unit: 'census', role: 'contact', ...over });
    return { id: email, email, password: over.password };
  };

  const SETUP: Record<TargetKind, () => Promise<Target>> = {
    nothing: async () => ({ id: '' }),
    draft,
    submitted,
    published: async () => {
      const d = await submitted();
      await t.services.review.approve(reviewer, d.id);
      return d;
    },
    contactNotification: async () => {
      const message = { 'zh-TW': { subject: '測試', text: '測試通知' }, en: { subject: 'Test', text: 'A test notification' } };
      await t.services.db.kysely.transaction().execute((trx) => t.services.notifications.notify(trx, { userIds: [contact.id], kind: 'test.matrix', message, mail: false }));
      const n = await t.services.db.kysely.selectFrom('notifications').select('id').where('user_id', '=', contact.id).where('read_at', 'is', null).orderBy('created_at', 'desc').executeTakeFirstOrThrow();
      return { id: n.id };
    },
    user: () => newUser(),
    disabledUser: async () => {
      const u = await newUser();
      await t.services.users.disable(u.id);
      return u;
    },
    userWithRole: async () => {
      const u = await newUser();
      await t.services.users.addRole(u.id, 'census', 'reviewer');
      return u;
    },
    passwordUser: () => newUser({ password: `pw-${unique()}-long-enough` }),
    passwordLink: async () => {
      const { user, link } = await t.services.accounts.invite('cli', { email: `l-${unique()}@matrix.test`, name: '受邀', unit: 'census', role: 'contact' });
      return { id: user.email, email: user.email, token: new URL(link).searchParams.get('token') ?? '' };
    },
    // A published dataset whose first resource has a loaded datastore table.
    table: async () => {
      const d = await SETUP.published();
      const v = await t.services.datastore.addVersion({ resourceId: d.resourceId ?? '', source: Readable.from([Buffer.from('年,值\n2024,1\n')]), fileName: 't.csv', format: 'CSV', uploadedBy: 'matrix' });
      await t.services.datastore.load(v.id);
      await t.services.db.kysely.transaction().execute((trx) => publishPendingVersions(trx, d.id, new Date().toISOString()));
      return d;
    },
    // Inventory (issue 6): statistics' inventory of a year no other call uses, with one open item.
    inventoryDraft: async () => {
      const year = inventoryYear++;
      const [item] = parseItems([{ raw: inventoryItem('矩陣盤點項目'), row: 1 }]).items;
      await t.services.inventory.replaceItems('statistics', year, [item], contact);
      const { items } = await t.services.inventory.get('statistics', year, contact);
      return { id: '', year, unit: 'statistics', itemId: items[0]?.id };
    },
    inventorySubmitted: async () => {
      const tg = await SETUP.inventoryDraft();
      await t.services.inventory.submit('statistics', tg.year ?? 0, contact);
      return tg;
    },
    inventoryCompiled: async () => {
      const tg = await SETUP.inventorySubmitted();
      await t.services.inventory.compile(tg.year ?? 0, windowAdmin);
      return tg;
    },
    inventoryApproved: async () => {
      const tg = await SETUP.inventoryCompiled();
      await t.services.inventory.approve(tg.year ?? 0, cio);
      return tg;
    },
    // Issue 6, annual calendar: a task of this year (made from the plan), and one the admin added.
    calendarTask: async () => {
      const year = Number(taipeiDate().slice(0, 4));
      await t.services.calendarTasks.ensureYear(year);
      const task = (await t.services.calendarTasks.list(year))[0];
      if (!task) throw new Error('no calendar task');
      return { id: task.id };
    },
    addedCalendarTask: async () => {
      const admin = await t.services.users.findByEmail(t.config.adminEmail);
      if (!admin) throw new Error('no admin');
      const task = await t.services.calendarTasks.add(Number(taipeiDate().slice(0, 4)), { ...calendarTaskForm(), ownerUnits: [] }, admin);
      return { id: task.id };
    },
    // A published dataset with an open discontinuation proposal by the unit contact.
    proposal: async () => {
      const d = await SETUP.published();
      const p = await t.services.discontinuation.propose(contact, d.id, { kind: 'stop', reasons: '調查已停辦', meetingDate: '2026-11-20', resolution: '會議決議同意停止提供' });
      return { ...d, pid: p.id };
    },
  };

  /* ---- Callers ---- */

  const signIn = async (caller: Exclude<Caller, 'anon'>) => {
    const { token, session } = await t.services.accounts.signIn(people[caller].email, people[caller].password);
    return { cookie: `${sessionCookieName(t.config)}=${token}`, csrf: session.csrfToken };
  };
  const sessionOf = async (caller: Exclude<Caller, 'anon'>, fresh: boolean) => {
    const cached = sessions.get(caller);
    if (cached && !fresh) return cached;
    const s = await signIn(caller);
    // A route that ends sessions may end this one (or all of the user's): sign in again next time.
    if (fresh) sessions.delete(caller);
    else sessions.set(caller, s);
    return s;
  };

  /** What a refused or forged request must not have changed. */
  const snapshot = async () => {
    const k = t.services.db.kysely;
    const count = async (table: 'audit_log' | 'sessions') => Number((await k.selectFrom(table).select(sql<number>`count(*)`.as('n')).executeTakeFirstOrThrow()).n);
    const read = await k.selectFrom('notifications').select(sql<number>`count(*)`.as('n')).where('read_at', 'is not', null).executeTakeFirstOrThrow();
    return { audit: await count('audit_log'), sessions: await count('sessions'), readMarks: Number(read.n) };
  };

  interface Call {
    auth: 'token' | 'session' | 'none';
    csrf?: boolean;
    origin?: string;
    cookie?: string;
    csrfToken?: string;
    token?: string;
  }

  /** One request to `key` on target `tg`, authenticated as `call` says, in the form a real client would send. */
  async function send(key: string, r: Row, tg: Target, call: Call): Promise<LightMyRequestResponse> {
    const { method, path } = splitKey(key);
    const url = urlOf(path, tg);
    const headers: Record<string, string> = {};
    const body = r.body(tg);
    // A JSON array (a whole inventory list) is sent as it is.
    const fields: Record<string, unknown> = Array.isArray(body) ? body : { ...body };
    if (call.auth === 'token' && call.token) headers.authorization = isCkan(path) ? call.token : `Bearer ${call.token}`;
    if (call.auth === 'session' && call.cookie) {
      headers.cookie = call.cookie;
      if (call.csrf && call.csrfToken) {
        if (isApi(path)) headers['x-csrf-token'] = call.csrfToken;
        else fields._csrf = call.csrfToken;
      }
    }
    if (call.origin) headers.origin = call.origin;
    // Pages and forged posts are form posts; API clients send JSON.
    if (!isApi(path) || call.origin) {
      headers['content-type'] = 'application/x-www-form-urlencoded';
      const form = new URLSearchParams();
      for (const [k, v] of Object.entries(fields)) if (v !== undefined) form.set(k, typeof v === 'string' ? v : JSON.stringify(v));
      return t.app.inject({ method: method as 'POST', url, headers, payload: form.toString() });
    }
    headers['content-type'] = 'application/json';
    return t.app.inject({ method: method as 'POST', url, headers, payload: JSON.stringify(fields) });
  }

  /** How `caller` calls `key` in the matrix: API token on /api, cookie session + CSRF token on pages. */
  async function callAs(key: string, r: Row, caller: Caller): Promise<{ res: LightMyRequestResponse; changed: boolean }> {
    const tg = await SETUP[r.target]();
    let call: Call = { auth: 'none' };
    if (caller !== 'anon') {
      if (isApi(splitKey(key).path)) call = { auth: 'token', token: people[caller].token };
      else {
        const s = await sessionOf(caller, r.endsSession);
        call = { auth: 'session', csrf: true, cookie: s.cookie, csrfToken: s.csrf };
      }
    }
    const before = await snapshot();
    const res = await send(key, r, tg, call);
    const after = await snapshot();
    return { res, changed: JSON.stringify(before) !== JSON.stringify(after) };
  }

  /** The signed-in caller the row lets through (so that a refusal can only come from the check under test); the admin when nobody is. */
  const allowedCaller = (r: Row): Exclude<Caller, 'anon'> => (CALLERS.find((c) => c !== 'anon' && r.outcomes[c] !== D) ?? 'admin') as Exclude<Caller, 'anon'>;

  describe('route × role', () => {
    for (const [key, r] of Object.entries(MATRIX)) {
      it(key, async () => {
        const actual = {} as Record<Caller, string>;
        const detail: string[] = [];
        for (const caller of CALLERS) {
          const { res, changed } = await callAs(key, r, caller);
          const outcome = classify(res);
          actual[caller] = outcome === D && changed ? 'denied, but changed something' : outcome;
          detail.push(`${caller}: ${res.statusCode} ${res.headers.location ?? ''} ${res.body.slice(0, 160)}`);
        }
        expect(actual, detail.join('\n')).toEqual(r.outcomes);
      });
    }
  });

  describe('a cookie session without the CSRF token is refused', () => {
    for (const [key, r] of Object.entries(MATRIX)) {
      it(key, async () => {
        const caller = allowedCaller(r);
        const tg = await SETUP[r.target]();
        const s = await sessionOf(caller, r.endsSession);
        const before = await snapshot();
        const res = await send(key, r, tg, { auth: 'session', csrf: false, cookie: s.cookie });
        expect(res.statusCode, res.body).toBe(403);
        expect(res.body).toContain('_csrf');
        expect(await snapshot()).toEqual(before);
        // A wrong token is no better than none.
        const wrong = await send(key, r, tg, { auth: 'session', csrf: true, cookie: s.cookie, csrfToken: `${s.csrf}x` });
        expect(wrong.statusCode).toBe(403);
        expect(await snapshot()).toEqual(before);
      });
    }
  });

  /** The bodies another site's page can make a browser send: the three form encodings (a text/plain form can carry JSON). */
  const FORGED: { type: string; payload: (fields: Record<string, unknown>) => string }[] = [
    { type: 'application/x-www-form-urlencoded', payload: (f) => new URLSearchParams(Object.entries(f).map(([k, v]) => [k, typeof v === 'string' ? v : JSON.stringify(v)])).toString() },
    { type: 'text/plain', payload: (f) => JSON.stringify(f) },
    {
      type: 'multipart/form-data; boundary=xsite',
      payload: (f) => `${Object.entries(f).map(([k, v]) => `--xsite\r\nContent-Disposition: form-data; name="${k}"\r\n\r\n${typeof v === 'string' ? v : JSON.stringify(v)}\r\n`).join('')}--xsite--\r\n`,
    },
  ];

  describe('a cross-site form post changes nothing', () => {
    for (const [key, r] of Object.entries(MATRIX)) {
      it(key, async () => {
        const { method, path } = splitKey(key);
        // Another site's page posts a form (Origin: its own, or "null" from a sandboxed frame); it cannot read our CSRF token.
        for (const origin of ['https://evil.example', 'null']) {
          for (const enc of FORGED) {
            const forge = async (cookie?: string) => {
              const tg = await SETUP[r.target]();
              const before = await snapshot();
              const res = await t.app.inject({
                method: method as 'POST',
                url: urlOf(path, tg),
                headers: { origin, 'content-type': enc.type, 'sec-fetch-site': 'cross-site', ...(cookie ? { cookie } : {}) },
                payload: enc.payload(r.body(tg)),
              });
              const what = `${origin} ${enc.type} ${cookie ? 'with' : 'without'} cookie → ${res.statusCode} ${res.body.slice(0, 200)}`;
              expect(await snapshot(), what).toEqual(before);
              // No session forced on the browser (login CSRF), and no CORS grant that would let the page read the answer.
              expect(String(res.headers['set-cookie'] ?? ''), what).not.toMatch(/kf_session=[^;]/);
              expect(res.headers['access-control-allow-origin'], what).toBeUndefined();
              return res;
            };
            // With the victim's session cookie (a browser that still sends it cross-site): the CSRF check refuses
            // (or, outside CKAN, multipart is not accepted at all: 415).
            const s = await sessionOf(allowedCaller(r), r.endsSession);
            expect([403, 415]).toContain((await forge(s.cookie)).statusCode);
            // Without one: nothing to act for.
            await forge();
          }
        }
        // A script on another site cannot send the token or CSRF header either: no CORS preflight is granted.
        const preflight = await t.app.inject({
          method: 'OPTIONS',
          url: path.replace(':id', 'x'),
          headers: { origin: 'https://evil.example', 'access-control-request-method': method, 'access-control-request-headers': 'authorization, x-csrf-token, content-type' },
        });
        expect(preflight.headers['access-control-allow-origin']).toBeUndefined();
        expect(preflight.headers['access-control-allow-headers']).toBeUndefined();
      });
    }
  });

  it('an admin cannot change their own roles (no self-granted head or CIO office, no self-removed admin role)', async () => {
    const s = await sessionOf('admin', false);
    const admin = people.admin.email;
    for (const [url, role, unit] of [
      ['/admin/users/roles', 'head', 'dgbas'],
      ['/admin/users/roles', 'cio', 'dgbas'],
      ['/admin/users/roles/remove', 'admin', 'it'],
    ] as const) {
      const before = await snapshot();
      const res = await t.app.inject({
        method: 'POST',
        url,
        headers: { cookie: s.cookie, 'content-type': 'application/x-www-form-urlencoded' },
        payload: new URLSearchParams({ _csrf: s.csrf, email: admin, unit, role }).toString(),
      });
      expect(res.statusCode, `${url} ${role}`).toBe(403);
      expect(res.body).toContain('不能變更自己的角色');
      expect(await snapshot()).toEqual(before);
    }
    expect((await t.services.users.findByEmail(admin))?.roles).toEqual([{ unit: 'it', role: 'admin' }]);
    // Another admin (or the command line) still can.
    const other = `admin2-${unique()}@matrix.test`;
    await t.services.users.create({ email: other, name: '第二管理者', unit: 'it', role: 'admin' });
    const granted = await t.app.inject({
      method: 'POST',
      url: '/admin/users/roles?lang=en',
      headers: { cookie: s.cookie, 'content-type': 'application/x-www-form-urlencoded' },
      payload: new URLSearchParams({ _csrf: s.csrf, email: other, unit: 'dgbas', role: 'head' }).toString(),
    });
    expect(granted.statusCode).toBe(303);
    const self = await t.services.users.findByEmail(other);
    if (!self) throw new Error('no second admin');
    await expect(t.services.users.addRole(other, 'dgbas', 'cio', { id: self.id, label: other })).rejects.toMatchObject({ code: 'USER_SELF_ROLE', status: 403 });
  });

  it('covers every mutating route of the app, and only routes that exist', () => {
    const registered = new Set(t.app.routeInventory.filter((r) => MUTATING.has(r.method)).map((r) => `${r.method} ${r.url}`));
    const missing = [...registered].filter((k) => !(k in MATRIX)).sort();
    const stale = Object.keys(MATRIX).filter((k) => !registered.has(k)).sort();
    expect({ missing, stale }, 'add a line to MATRIX in test/security-matrix.test.ts for each missing route; remove stale ones').toEqual({ missing: [], stale: [] });
    // The inventory itself is complete: it sees the app's own routes and the plugins' (no route is invisible to the check).
    expect(t.app.routeInventory.length).toBeGreaterThan(registered.size);
    expect(registered.has('POST /api/action/package_create')).toBe(true);
  });

  it('no GET route changes state', async () => {
    // Every GET route of the inventory, as the admin (token, and session cookie) and as the public, on a published dataset's id.
    const tg = await SETUP.published();
    const s = await sessionOf('admin', false);
    const gets = t.app.routeInventory.filter((r) => r.method === 'GET');
    expect(gets.length).toBeGreaterThan(20);
    for (const { url: path } of gets) {
      const url = path.replace(/:[A-Za-z]+/g, encodeURIComponent(tg.id)).replace('*', '');
      for (const headers of [{ authorization: `Bearer ${people.admin.token}` }, { cookie: s.cookie }, {}]) {
        const before = await snapshot();
        const res = await t.app.inject({ method: 'GET', url, headers });
        expect(res.statusCode, `GET ${path}`).toBeLessThan(500);
        expect(await snapshot(), `GET ${path}`).toEqual(before);
      }
    }
  });
});
