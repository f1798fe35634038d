import formbody from '@fastify/formbody';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Fastify, { type FastifyError, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { AppError } from './errors.ts';
import { langOf, pickLang } from './i18n.ts';
import { authenticateRequest, checkCsrf } from './modules/accounts/accounts.http.ts';
import type { Session } from './modules/accounts/accounts.service.ts';
import { auditRoutes } from './modules/audit/audit.routes.ts';
import { catalogueRoutes } from './modules/catalogue/catalogue.routes.ts';
import { ckanRoutes } from './modules/ckan/ckan.routes.ts';
import { discontinuationRoutes } from './modules/discontinuation/discontinuation.routes.ts';
// Issue 6 (inventory)
import { inventoryRoutes } from './modules/inventory/inventory.routes.ts';
import { demoRoutes } from './modules/demo/demo.routes.ts';
import { healthRoutes } from './modules/health/health.routes.ts';
import { notificationsRoutes } from './modules/notifications/notifications.routes.ts';
import { reviewRoutes } from './modules/review/review.routes.ts';
import { usersRoutes } from './modules/users/users.routes.ts';
import type { User } from './modules/users/users.service.ts';
import type { Services } from './services.ts';
import { isApiPath, notFoundHandler, sendErrorPage } from './web/not-found.tsx';
import { webRoutes } from './web/web.routes.tsx';
import { datastoreRoutes } from './modules/datastore/datastore.routes.ts';
import { qualityRoutes } from './modules/quality/quality.routes.ts';
import { followupRoutes } from './modules/followup/followup.routes.ts';
// Issue 6, annual calendar.
import { calendarRoutes } from './modules/calendar/calendar.routes.ts';

declare module 'fastify' {
  interface FastifyInstance {
    services: Services;
    /** Every route registered on the app (method and full path), in order; the security matrix test checks it. */
    routeInventory: RouteEntry[];
  }
  interface FastifyRequest {
    user: User | null;
    /** The sign-in session, when the request was authenticated by the session cookie. */
    session: Session | null;
    authVia: 'token' | 'session' | null;
  }
}

/** One registered route: `method` as Fastify registered it (HEAD routes of GETs included), `url` with its prefix. */
export interface RouteEntry {
  method: string;
  url: string;
}

export interface ErrorBody {
  error: { code: string; message: string; details?: Record<string, string[]> };
}

/** Turns any thrown error into the stable `{error: {code, message}}` shape, localised; hides internals on 5xx. */
export function toErrorBody(err: unknown, req: FastifyRequest): { status: number; body: ErrorBody } {
  const lang = langOf(req);
  if (err instanceof AppError) {
    const details = err.details ? Object.fromEntries(Object.entries(err.details).map(([k, v]) => [k, v.map((m) => pickLang(m, lang))])) : undefined;
    return { status: err.status, body: { error: { code: err.code, message: lang === 'en' ? err.en : err.zh, ...(details ? { details } : {}) } } };
  }
  const fe = err as FastifyError;
  if (fe.validation) {
    const where = fe.validationContext ?? 'request';
    const path = fe.validation[0]?.instancePath?.replace(/^\//, '') || (fe.validation[0]?.params as { missingProperty?: string } | undefined)?.missingProperty || '';
    const what = `${where}${path ? `.${path}` : ''}`;
    const allowed = (fe.validation[0]?.params as { allowedValues?: unknown[] } | undefined)?.allowedValues;
    const detail = allowed ? `must be one of ${allowed.join(', ')}` : (fe.validation[0]?.message ?? '');
    const zh = `參數錯誤：${what}${allowed ? ` 須為 ${allowed.join('、')} 之一` : ` ${detail}`}`;
    const en = `Invalid parameter ${what}: ${detail}`;
    return { status: 400, body: { error: { code: 'BAD_REQUEST', message: lang === 'en' ? en : zh, details: { [what]: [lang === 'en' ? en : zh] } } } };
  }
  const status = typeof fe.statusCode === 'number' && fe.statusCode >= 400 && fe.statusCode < 500 ? fe.statusCode : 500;
  if (status < 500) return { status, body: { error: { code: fe.code ?? 'BAD_REQUEST', message: fe.message } } };
  return { status: 500, body: { error: { code: 'INTERNAL', message: lang === 'en' ? 'Internal error; it has been logged.' : '系統發生錯誤，已記錄。' } } };
}

/** Path of the first non-finite number in parsed input, if any. */
function nonFinite(value: unknown, path: string): string | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? undefined : path;
  if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
      const found = nonFinite(v, `${path}.${k}`);
      if (found) return found;
    }
  }
  return undefined;
}

/** Builds the Fastify app; never listens (server.ts does). */
export async function buildApp(services: Services, opts: { logger?: boolean } = {}): Promise<FastifyInstance> {
  const app = Fastify({
    logger: opts.logger ? { level: services.config.logLevel } : false,
    ajv: { customOptions: { coerceTypes: 'array', removeAdditional: true, useDefaults: true } },
    bodyLimit: 10 * 1024 * 1024,
    trustProxy: true,
    // Malformed URLs (bad percent-encoding) get our error shape too.
    frameworkErrors: (err, req, res) => {
      const lang = langOf(req);
      const reply = res as unknown as FastifyReply;
      const error = { code: 'BAD_REQUEST', message: lang === 'en' ? `Malformed request: ${err.message}` : `請求格式錯誤：${err.message}` };
      if (isApiPath(req.url ?? '')) void reply.status(400).send({ error });
      else void sendErrorPage(req, reply, 400, error);
    },
  }).withTypeProvider<TypeBoxTypeProvider>();

  // First, so every route registered below (plugins included) is recorded.
  const routeInventory: RouteEntry[] = [];
  app.decorate('routeInventory', routeInventory);
  app.addHook('onRoute', (route) => {
    for (const method of [route.method].flat()) routeInventory.push({ method, url: route.url });
  });
  app.decorate('services', services);
  app.decorateRequest('user', null);
  app.decorateRequest('session', null);
  app.decorateRequest('authVia', null);
  // PostgreSQL cannot hold NUL in text, and no catalogue value needs one: refuse it at the edge.
  app.addHook('onRequest', async (req) => {
    if (/%00/i.test(req.url)) throw new AppError('BAD_REQUEST', 400, '請求含有不允許的空字元（NUL, %00）', 'The request contains a NUL character (%00), which is not allowed');
  });
  app.addHook('preValidation', async (req) => {
    // A link that repeats ?lang= (lang=en&lang=en, e.g. after switching language twice) means its first value, not a 400.
    const q = req.query as Record<string, unknown> | undefined;
    if (q && Array.isArray(q.lang)) q.lang = (q.lang as unknown[])[0];
    if (req.body !== undefined && req.body !== null && typeof req.body === 'object' && JSON.stringify(req.body).includes('\\u0000')) {
      throw new AppError('BAD_REQUEST', 400, '請求內容含有不允許的空字元（NUL）', 'The request body contains a NUL character, which is not allowed');
    }
  });
  // Schema coercion turns a 400-digit number into Infinity, which passes `maximum`; catch it here.
  app.addHook('preHandler', async (req) => {
    const where = nonFinite(req.query, 'querystring') ?? nonFinite(req.body, 'body');
    if (where) throw new AppError('BAD_REQUEST', 400, `參數錯誤：${where} 數值超出範圍`, `Invalid parameter ${where}: number out of range`, { [where]: [`數值超出範圍 / number out of range`] });
  });
  app.addHook('onRequest', authenticateRequest);
  app.addHook('preValidation', checkCsrf);

  await app.register(formbody);
  await app.register(swagger, {
    openapi: {
      openapi: '3.0.3',
      info: { title: 'Kaifang 開放資料平臺 API', version: '1.0.0', description: '開放資料目錄 API（原生 /api/v1 與 CKAN 相容 /api/3/action）。Native and CKAN-compatible catalogue API.' },
      servers: [{ url: services.config.baseUrl }],
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
    },
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });

  app.setErrorHandler((err: unknown, req: FastifyRequest, reply: FastifyReply) => {
    const { status, body } = toErrorBody(err, req);
    if (status >= 500) req.log.error(err);
    return reply.status(status).send(body);
  });

  await app.register(healthRoutes);
  await app.register(catalogueRoutes, { prefix: '/api/v1' });
  await app.register(usersRoutes, { prefix: '/api/v1' });
  await app.register(auditRoutes, { prefix: '/api/v1' });
  await app.register(notificationsRoutes, { prefix: '/api/v1' });
  await app.register(reviewRoutes, { prefix: '/api/v1' });
  await app.register(datastoreRoutes, { prefix: '/api/v1' });
  await app.register(discontinuationRoutes, { prefix: '/api/v1' });
  await app.register(qualityRoutes, { prefix: '/api/v1' });
  // Issue 6: the overdue follow-up list.
  await app.register(followupRoutes, { prefix: '/api/v1' });
  // Issue 6 (inventory)
  await app.register(inventoryRoutes, { prefix: '/api/v1' });
  // Issue 6, annual calendar.
  await app.register(calendarRoutes, { prefix: '/api/v1' });
  await app.register(ckanRoutes, { prefix: '/api/3/action' });
  // Python ckanapi calls /api/action/<name>.
  await app.register(ckanRoutes, { prefix: '/api/action', hideFromDocs: true });
  await app.register(demoRoutes);
  await app.register(webRoutes);
  app.setNotFoundHandler(notFoundHandler);
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());
  return app;
}
