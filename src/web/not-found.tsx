import type { FastifyReply, FastifyRequest } from 'fastify';
import type { ErrorBody } from '../app.ts';
import { pageCtx } from './context.ts';
import { ErrorPage } from './pages/error.tsx';
import { sendPage } from './respond.ts';

/** Paths that answer in JSON; everything else is a page for people. */
export const isApiPath = (url: string): boolean => url.startsWith('/api/') || url === '/openapi.json';

/** An error as an HTML page (zh-TW or English), for handlers outside the web plugin. */
export async function sendErrorPage(req: FastifyRequest, reply: FastifyReply, status: number, error: ErrorBody['error']): Promise<FastifyReply> {
  return sendPage(req, reply, status, <ErrorPage ctx={pageCtx(req, req.server.services.config)} status={status} error={error} />);
}

/** 404 for any unknown path: JSON under /api, an HTML page (zh-TW or English) elsewhere. */
export async function notFoundHandler(req: FastifyRequest, reply: FastifyReply): Promise<void> {
  if (isApiPath(req.url)) {
    await reply.status(404).send({ error: { code: 'NOT_FOUND', message: `找不到 ${req.url} / Not found: ${req.url}` } });
    return;
  }
  const path = req.url.split('?', 1)[0];
  const en = pageCtx(req, req.server.services.config).lang === 'en';
  await sendErrorPage(req, reply, 404, { code: 'NOT_FOUND', message: en ? `Not found: ${path}` : `找不到頁面：${path}` });
}
