import type { FastifyReply, FastifyRequest } from 'fastify';
import { pageCtx } from './context.ts';
import { ErrorPage } from './pages/error.tsx';
import { sendPage } from './respond.ts';

/** 404 for any unknown path: JSON under /api, an HTML page (zh-TW or English) elsewhere. */
export async function notFoundHandler(req: FastifyRequest, reply: FastifyReply): Promise<void> {
  if (req.url.startsWith('/api/')) {
    await reply.status(404).send({ error: { code: 'NOT_FOUND', message: `找不到 ${req.url} / Not found: ${req.url}` } });
    return;
  }
  const ctx = pageCtx(req, req.server.services.config);
  const path = req.url.split('?', 1)[0];
  const message = ctx.lang === 'en' ? `Not found: ${path}` : `找不到頁面：${path}`;
  await sendPage(req, reply, 404, <ErrorPage ctx={ctx} status={404} error={{ code: 'NOT_FOUND', message }} />);
}
