import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { DemoService } from './demo.service.ts';

const ErrorSchema = Type.Object({ error: Type.Object({ code: Type.String(), message: Type.String() }) });

/** Serves the files the demo catalogue's resources link to (/demo/files/<slug>.csv|json|xml). */
export const demoRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const demo = new DemoService(app.services.config, app.services.db, app.services.catalogue);

  app.get(
    '/demo/files/:file',
    {
      schema: {
        tags: ['demo'],
        summary: '下載示範資料檔案 Download a demo data file (示範資料, generated numbers)',
        params: Type.Object({ file: Type.String({ maxLength: 200, description: '檔名，如 cpi.csv' }) }),
        response: {
          200: Type.Unsafe<Buffer>({ type: 'string', format: 'binary', description: 'CSV (text/csv)、JSON 或 XML 檔案 / the file' }),
          304: Type.Null({ description: '未變更 Not modified (If-None-Match)' }),
          404: ErrorSchema,
          410: ErrorSchema,
        },
      },
    },
    async (req, reply) => {
      // The files of a discontinued demo dataset are gone too (410 with its notice).
      await app.services.discontinuation.assertFileAvailable(`/demo/files/${req.params.file}`);
      const f = await demo.file(req.params.file);
      reply
        .header('content-type', f.contentType)
        .header('content-disposition', `attachment; filename="${f.fileName}"; filename*=UTF-8''${encodeURIComponent(f.displayName)}`)
        .header('etag', f.etag)
        .header('last-modified', f.lastModified)
        .header('cache-control', 'public, max-age=3600')
        .header('x-content-type-options', 'nosniff');
      const match = req.headers['if-none-match'];
      if (match && match.split(',').some((t) => t.trim() === f.etag || t.trim() === '*')) return reply.status(304).send(null);
      return reply.send(f.body);
    },
  );
};
