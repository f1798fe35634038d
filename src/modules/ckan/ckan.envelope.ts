/**
 * CKAN's transport rules, kept out of the handlers: the `{help, success, result|error}`
 * envelope, how any error becomes `{__type, message}` with CKAN's status codes, and how request
 * data arrives (JSON body, form body, or a query string whose list values are JSON-encoded).
 */
import type { FastifyError, FastifyRequest } from 'fastify';
import { AppError, invalid } from '../../errors.ts';
import { pickLang, type Lang } from '../../i18n.ts';
import type { ErrorEnvelope } from './ckan.schemas.ts';

export const helpUrl = (baseUrl: string, action: string): string => `${baseUrl}/api/3/action/help_show?name=${encodeURIComponent(action)}`;

/** The action a request is for: the last path segment. */
export function actionOf(req: FastifyRequest): string {
  const path = (req.url.split('?')[0] ?? '').replace(/\/+$/, '');
  const last = path.slice(path.lastIndexOf('/') + 1);
  try {
    return decodeURIComponent(last);
  } catch {
    return last;
  }
}

export const badJson = (reason: string): AppError =>
  new AppError('CKAN_BAD_JSON', 400, `請求格式錯誤 - JSON 錯誤：${reason}`, `Bad request - JSON Error: ${reason}`);

export const unknownAction = (name: string): AppError =>
  new AppError('CKAN_UNKNOWN_ACTION', 400, `請求格式錯誤 - 未知的 action：${name}`, `Bad request - Action name not known: ${name}`);

export const writeNotAvailable = (name: string): AppError =>
  new AppError(
    'CKAN_WRITE_NOT_AVAILABLE',
    403,
    `存取被拒：${name} 尚未開放；請改用 package_patch 或 resource_update（變更一律經單位審查者核可後才公開）。`,
    `Access denied: ${name} is not available yet; use package_patch or resource_update (every change is public only after a unit reviewer approves it).`,
  );

/** Parses a JSON request body that must be an object (CKAN's data dict). Empty means `{}`. */
export function parseJsonObject(raw: string): Record<string, unknown> {
  if (raw.trim() === '') return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch (e) {
    throw badJson((e as Error).message);
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new AppError(
      'CKAN_BAD_JSON',
      400,
      `請求格式錯誤 - 請求資料須為 JSON 物件（字典），收到：${raw.slice(0, 50)}`,
      `Bad request - Request data JSON decoded to ${raw.slice(0, 50)} but it needs to be a dictionary`,
    );
  }
  return parsed as Record<string, unknown>;
}

/**
 * A form body. Old CKAN clients POST a JSON document with the form content type; CKAN reads
 * that as JSON, and so do we.
 */
export function parseFormBody(raw: string): Record<string, unknown> {
  if (raw.trimStart().startsWith('{')) return parseJsonObject(raw);
  const out: Record<string, unknown> = {};
  for (const [k, v] of new URLSearchParams(raw)) {
    const prev = out[k];
    out[k] = prev === undefined ? v : Array.isArray(prev) ? [...(prev as string[]), v] : [prev, v];
  }
  return out;
}

const TRUE = new Set(['true', 'yes', 'on', 'y', 't', '1']);
const FALSE = new Set(['false', 'no', 'off', 'n', 'f', '0']);

interface PropSchema {
  type?: string;
}

/**
 * Brings request data to the types the action's schema declares, the way CKAN's validators do:
 * list and dict parameters may arrive JSON-encoded (`facet.field=["organization","tags"]`),
 * booleans as `True`/`yes`/`1`, and a repeated `fq` means all of its terms.
 */
export function decodeParams(data: Record<string, unknown>, properties: Record<string, PropSchema>): void {
  const errors: Record<string, string[]> = {};
  for (const [key, prop] of Object.entries(properties)) {
    const v = data[key];
    if (v === undefined) continue;
    if ((prop.type === 'array' || prop.type === 'object') && typeof v === 'string') {
      const t = v.trim();
      if (t.startsWith('[') || t.startsWith('{')) {
        try {
          data[key] = JSON.parse(t) as unknown;
        } catch {
          errors[key] = [`無法解析為 JSON：${t.slice(0, 50)} / Could not parse as valid JSON: ${t.slice(0, 50)}`];
        }
      }
    } else if (prop.type === 'boolean' && typeof v === 'string') {
      const t = v.trim().toLowerCase();
      if (TRUE.has(t)) data[key] = true;
      else if (FALSE.has(t) || t === '') data[key] = false;
    } else if (prop.type === 'string' && key === 'fq' && Array.isArray(v)) {
      data[key] = v.map(String).join(' ');
    }
  }
  if (Object.keys(errors).length > 0) throw invalid(errors);
}

interface AjvError {
  keyword: string;
  instancePath: string;
  params: Record<string, unknown>;
  message?: string;
}

/** One localisable message for a schema violation, in CKAN's words where CKAN has them. */
function validationMessage(e: AjvError): string {
  const p = e.params;
  switch (e.keyword) {
    case 'type':
      if (p.type === 'integer' || p.type === 'number') return '須為整數 / Invalid integer';
      if (p.type === 'boolean') return '須為 true 或 false / Must be true or false';
      if (p.type === 'array') return '須為字串清單 / Must be a list of strings';
      return `型別須為 ${String(p.type)} / Must be of type ${String(p.type)}`;
    case 'minimum':
      return Number(p.limit) === 0 ? '須為非負整數 / Must be a natural number' : `不可小於 ${String(p.limit)} / Must be at least ${String(p.limit)}`;
    case 'maximum':
      return `不可大於 ${String(p.limit)} / Must be at most ${String(p.limit)}`;
    case 'required':
      return '缺少此欄位 / Missing value';
    case 'minLength':
      return '缺少此欄位 / Missing value';
    case 'maxLength':
      return `長度不可超過 ${String(p.limit)} 字元 / Must be at most ${String(p.limit)} characters`;
    case 'maxItems':
      return `最多 ${String(p.limit)} 項 / At most ${String(p.limit)} items`;
    default:
      return `格式錯誤 / ${e.message ?? 'Invalid value'}`;
  }
}

function fieldOf(e: AjvError): string {
  if (e.keyword === 'required' && typeof e.params.missingProperty === 'string') return e.params.missingProperty;
  const path = e.instancePath.replace(/^\//, '').split('/')[0] ?? '';
  return path.replace(/~1/g, '/').replace(/~0/g, '~') || 'request';
}

const TYPES = {
  validation: { type: 'Validation Error', status: 409 },
  searchQuery: { type: 'Search Query Error', status: 409 },
  notFound: { type: 'Not Found Error', status: 404 },
  authorization: { type: 'Authorization Error', status: 403 },
  badRequest: { type: 'Bad Request', status: 400 },
  internal: { type: 'Internal Server Error', status: 500 },
} as const;

/** Any error as CKAN answers it: `{__type, message}` (+ per-field lists for validation) and its status. */
export function toCkanError(err: unknown, lang: Lang, help: string): { status: number; body: ErrorEnvelope } {
  const out = (kind: keyof typeof TYPES, message: string, fields: Record<string, string[]> = {}, status?: number) => ({
    status: status ?? TYPES[kind].status,
    body: { help, success: false as const, error: { ...fields, __type: TYPES[kind].type, message } },
  });
  const localise = (details: Record<string, string[]> | undefined) =>
    Object.fromEntries(Object.entries(details ?? {}).map(([k, msgs]) => [k, msgs.map((m) => pickLang(m, lang))]));

  if (err instanceof AppError) {
    const message = lang === 'en' ? err.en : err.zh;
    if (err.code === 'SEARCH_QUERY_INVALID') return out('searchQuery', message);
    if (err.status === 404) return out('notFound', message);
    if (err.status === 401 || err.status === 403) return out('authorization', message);
    if (err.details || err.code === 'VALIDATION_FAILED' || err.status === 409) return out('validation', message, localise(err.details));
    if (err.status >= 500) return out('internal', lang === 'en' ? 'Internal error; it has been logged.' : '系統發生錯誤，已記錄。');
    return out('badRequest', message, {}, err.status);
  }
  const fe = err as Partial<FastifyError>;
  if (fe.validation && fe.validation.length > 0) {
    const fields: Record<string, string[]> = {};
    for (const e of fe.validation as AjvError[]) (fields[fieldOf(e)] ??= []).push(pickLang(validationMessage(e), lang));
    const summary = Object.entries(fields)
      .map(([k, v]) => `${k}: ${v.join('; ')}`)
      .join(', ');
    return out('validation', lang === 'en' ? `Invalid parameters - ${summary}` : `參數錯誤 - ${summary}`, fields);
  }
  const status = typeof fe.statusCode === 'number' ? fe.statusCode : 500;
  if (status >= 400 && status < 500) {
    const what = fe.message ?? 'Bad request';
    return out('badRequest', lang === 'en' ? `Bad request - ${what}` : `請求格式錯誤 - ${what}`, {}, status);
  }
  return out('internal', lang === 'en' ? 'Internal error; it has been logged.' : '系統發生錯誤，已記錄。');
}
