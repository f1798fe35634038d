import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';

const ErrorSchema = Type.Object({ error: Type.Object({ code: Type.String(), message: Type.String() }) });

export const HistorySchema = Type.Object({
  datasetId: Type.String(),
  versions: Type.Array(
    Type.Object({
      seq: Type.Integer({ description: '稽核紀錄序號 audit entry number' }),
      at: Type.String({ description: '時間 when (ISO 8601)' }),
      action: Type.String({ description: 'dataset.create | dataset.update' }),
      changes: Type.Array(
        Type.Object({
          field: Type.String({ description: '欄位 field (as in the dataset API)' }),
          before: Type.Unknown(),
          after: Type.Unknown(),
        }),
        { description: '與前一公開版本相比變更的欄位；首次公開時為空 / fields changed since the previous published version; empty for the first' },
      ),
    }),
  ),
});

/** Public audit views under /api/v1. */
export const auditRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/datasets/:id/history',
    {
      schema: {
        tags: ['catalogue'],
        summary: '資料集版本紀錄 Version history of a public dataset',
        description: '每個公開版本與前一公開版本的欄位差異，新的在前（取自稽核紀錄）。Each published version with the fields changed since the previous one, newest first (from the audit trail).',
        params: Type.Object({ id: Type.String({ description: '資料集 id、name 或識別碼 dataset id, name or identifier' }) }),
        response: { 200: HistorySchema, 404: ErrorSchema },
      },
    },
    async (req) => {
      const dataset = await app.services.catalogue.get(req.params.id);
      return { datasetId: dataset.id, versions: await app.services.audit.datasetHistory(dataset.id) };
    },
  );
};
