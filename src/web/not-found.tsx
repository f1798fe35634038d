import type { FastifyReply, FastifyRequest } from 'fastify';

/** 404 for any unknown path: JSON under /api, an HTML page elsewhere (to be styled by the web module). */
export async function notFoundHandler(req: FastifyRequest, reply: FastifyReply): Promise<void> {
  if (req.url.startsWith('/api/')) {
    await reply.status(404).send({ error: { code: 'NOT_FOUND', message: `找不到 ${req.url} / Not found: ${req.url}` } });
    return;
  }
  await reply.status(404).type('text/html; charset=utf-8').send('<!doctype html><html lang="zh-TW"><title>找不到頁面</title><h1>找不到頁面 Not found</h1></html>');
}
