import path from 'node:path';
import multipart from '@fastify/multipart';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { FastifyRequest } from 'fastify';
import { AppError } from '../../errors.ts';
import type { User } from '../users/users.service.ts';
import { fileTooLarge } from '../storage/file-store.ts';
import { PassThrough } from 'node:stream';
import { writeOds } from '../export/ods.ts';
import { writeCsv, writeJson, writeXml } from '../export/text-formats.ts';
import { writeXlsx } from '../export/xlsx.ts';
import { DatastoreQuery } from './datastore.query.ts';

/** The open formats every table downloads as. */
const EXPORTS: Record<string, { type: string; ext: string }> = {
  csv: { type: 'text/csv; charset=utf-8', ext: 'csv' },
  json: { type: 'application/json; charset=utf-8', ext: 'json' },
  xml: { type: 'application/xml; charset=utf-8', ext: 'xml' },
  ods: { type: 'application/vnd.oasis.opendocument.spreadsheet', ext: 'ods' },
  xlsx: { type: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', ext: 'xlsx' },
  jsonstat: { type: 'application/json; charset=utf-8', ext: 'jsonstat.json' },
};

const ErrorSchema = Type.Object({ error: Type.Object({ code: Type.String(), message: Type.String(), details: Type.Optional(Type.Record(Type.String(), Type.Array(Type.String()))) }) });
const errors = { 400: ErrorSchema, 401: ErrorSchema, 403: ErrorSchema, 404: ErrorSchema, 409: ErrorSchema, 410: ErrorSchema, 413: ErrorSchema, 422: ErrorSchema };
const security = [{ bearer: [] }];
const ResourceParams = Type.Object({ rid: Type.String({ minLength: 1, maxLength: 200, description: '資料資源編號 national resource id' }) });
const VersionQuery = Type.Object({ version: Type.Optional(Type.Integer({ minimum: 1, description: '版本（預設最新公開版本）version (default: the latest public one)' })) });

function userOf(req: FastifyRequest): User {
  if (req.user) return req.user;
  throw new AppError('UNAUTHENTICATED', 401, '需要登入或 API 權杖', 'Authentication required: sign in or send an API token');
}

const VersionSchema = Type.Object({
  version: Type.Integer(),
  fileName: Type.String(),
  size: Type.Integer(),
  sha256: Type.String(),
  format: Type.String(),
  encodingDeclared: Type.Union([Type.String(), Type.Null()]),
  encodingDetected: Type.Union([Type.String(), Type.Null()]),
  uploadedAt: Type.String(),
  published: Type.Boolean(),
  /** The UTF-8 copy of a text file that came in another encoding (null: none needed, or not made yet). */
  utf8Url: Type.Union([Type.String(), Type.Null()]),
  headerRows: Type.Union([Type.String(), Type.Null()]),
  datastore: Type.Object({ state: Type.String(), rows: Type.Union([Type.Integer(), Type.Null()]), error: Type.Union([Type.String(), Type.Null()]) }),
});

/**
 * Resource files and tables under /api/v1: upload a new version (multipart), list versions,
 * download the original bytes (Range, ETag), and read the table with keyset pagination.
 */
export const datastoreRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { config, uploads, datastore, db, files } = app.services;
  const query = new DatastoreQuery(db, datastore);
  // Multipart only here (encapsulated): the CKAN routes read their own bodies.
  // One byte over the limit reaches the store, which refuses it and keeps nothing.
  await app.register(multipart, { limits: { fileSize: config.uploadMaxBytes + 1, files: 1, fields: 10 } });

  app.post(
    '/datasets/:id/resources/:rid/versions',
    {
      schema: {
        tags: ['resources'],
        summary: '上傳資料資源新版本 Upload a new version of a resource (multipart field `file`; optional fields before it: `encoding`, the declared 編碼格式, and `header`, the header rows of a report-like table such as `4` or `4-6`); through the review gate',
        security,
        consumes: ['multipart/form-data'],
        params: Type.Object({ id: Type.String({ maxLength: 200 }), rid: Type.String({ maxLength: 200 }) }),
        response: {
          200: Type.Object({ resourceId: Type.String(), versionId: Type.String(), version: Type.Integer(), size: Type.Integer(), sha256: Type.String(), jobId: Type.Union([Type.String(), Type.Null()]), status: Type.Object({ id: Type.String(), state: Type.String() }, { additionalProperties: true }) }),
          ...errors,
        },
      },
    },
    async (req) => {
      const user = userOf(req);
      await uploads.check(user, req.params.id, req.params.rid);
      if (!req.isMultipart()) throw new AppError('MULTIPART_REQUIRED', 400, '請以 multipart/form-data 上傳，檔案放在 file 欄位', 'Upload as multipart/form-data with the file in the field "file"', { file: ['必填 / required'] });
      let encoding: string | undefined;
      let header: string | undefined;
      for await (const part of req.parts()) {
        if (part.type === 'field') {
          if (part.fieldname === 'encoding' && typeof part.value === 'string') encoding = part.value.slice(0, 50);
          if (part.fieldname === 'header' && typeof part.value === 'string') header = part.value.slice(0, 50);
          continue;
        }
        if (part.fieldname !== 'file') {
          part.file.resume();
          continue;
        }
        const result = await uploads.upload(user, req.params.id, req.params.rid, { source: part.file, fileName: part.filename || 'upload', mediaType: part.mimetype }, { encoding, header });
        if (part.file.truncated) throw fileTooLarge(config.uploadMaxBytes);
        return result;
      }
      throw new AppError('FILE_REQUIRED', 400, '缺少 file 欄位（要上傳的檔案）', 'The field "file" (the file to upload) is missing', { file: ['必填 / required'] });
    },
  );

  app.get(
    '/resources/:rid/versions',
    { schema: { tags: ['resources'], summary: '資料資源的版本 Versions of a resource (public: published ones)', params: ResourceParams, response: { 200: Type.Object({ versions: Type.Array(VersionSchema) }), ...errors } } },
    async (req) => {
      const visible = await query.visibleVersions(req.params.rid, req.user);
      return {
        versions: visible.map((v) => ({
          version: v.version,
          fileName: v.file_name,
          size: v.size,
          sha256: v.sha256,
          format: v.format,
          encodingDeclared: v.encoding_declared,
          encodingDetected: v.encoding_detected,
          uploadedAt: v.uploaded_at,
          published: v.published_at !== null,
          utf8Url: v.utf8_sha256 ? `${config.baseUrl}/api/v1/resources/${encodeURIComponent(req.params.rid)}/file?version=${v.version}&utf8=true` : null,
          headerRows: v.header_rows,
          datastore: { state: v.datastore_state, rows: v.datastore_rows, error: v.datastore_error },
        })),
      };
    },
  );

  app.get(
    '/resources/:rid/file',
    {
      schema: {
        tags: ['resources'],
        summary: '下載原始檔案 The file as uploaded, byte for byte (latest public version, or ?version=N), or with ?utf8=true its UTF-8 copy (text files in another encoding); Range and ETag supported',
        params: ResourceParams,
        querystring: Type.Composite([VersionQuery, Type.Object({ utf8: Type.Optional(Type.Boolean({ description: 'UTF-8 副本 the UTF-8 copy of a text file in another encoding' })) })]),
        response: { 200: Type.Unsafe<Buffer | NodeJS.ReadableStream>({ type: 'string', format: 'binary' }), 206: Type.Unsafe<Buffer | NodeJS.ReadableStream>({ type: 'string', format: 'binary' }), 304: Type.Null(), 416: ErrorSchema, ...errors },
      },
    },
    async (req, reply) => {
      const v = await query.fileVersion(req.params.rid, req.user, req.query.version);
      // The UTF-8 copy of a text file that came in another encoding; a UTF-8 original is its own copy.
      let sha256 = v.sha256;
      let size = v.size;
      let fileName = v.file_name;
      let mediaType = v.media_type || 'application/octet-stream';
      if (req.query.utf8) {
        if (v.utf8_sha256) {
          sha256 = v.utf8_sha256;
          size = (await files.size(sha256)) ?? 0;
          const ext = path.extname(fileName);
          fileName = `${path.basename(fileName, ext)}.utf8${ext}`;
          mediaType = `${v.format === 'TSV' ? 'text/tab-separated-values' : v.format === 'TXT' ? 'text/plain' : 'text/csv'}; charset=utf-8`;
        } else if (v.encoding_detected !== 'UTF-8') {
          throw new AppError('NO_UTF8_COPY', 404, '此版本沒有 UTF-8 副本（不是文字檔，或尚未處理完成）；請下載原始檔案', 'this version has no UTF-8 copy (not a text file, or not processed yet); download the original file');
        }
      }
      const etag = `"${sha256}"`;
      void reply
        .header('etag', etag)
        .header('accept-ranges', 'bytes')
        .header('content-type', mediaType)
        .header('content-disposition', `attachment; filename="${fileName.replace(/[^\x20-\x7e]|"/g, '_')}"; filename*=UTF-8''${encodeURIComponent(fileName)}`)
        .header('x-content-type-options', 'nosniff')
        .header('cache-control', 'public, max-age=300');
      if (req.headers['if-none-match']?.split(',').some((t) => t.trim() === etag)) return reply.status(304).send(null);
      const range = /^bytes=(\d*)-(\d*)$/.exec(req.headers.range ?? '');
      if (range && (range[1] || range[2])) {
        let start = range[1] ? Number(range[1]) : Math.max(0, size - Number(range[2]));
        let end = range[1] && range[2] ? Math.min(Number(range[2]), size - 1) : size - 1;
        if (!range[1]) end = size - 1;
        if (start >= size || start > end) {
          return reply.status(416).header('content-range', `bytes */${size}`).header('content-disposition', 'inline').type('application/json; charset=utf-8').send({ error: { code: 'RANGE_NOT_SATISFIABLE', message: `範圍超出檔案大小 ${size} / range outside the file (${size} bytes)` } });
        }
        start = Math.max(0, start);
        end = Math.min(end, size - 1);
        return reply.status(206).header('content-range', `bytes ${start}-${end}/${size}`).header('content-length', String(end - start + 1)).send(files.open(sha256, { start, end }));
      }
      return reply.header('content-length', String(size)).send(files.open(sha256));
    },
  );

  app.get(
    '/resources/:rid/records',
    {
      schema: {
        tags: ['resources'],
        summary: '資料表的紀錄（鍵集分頁）Records of the table, with keyset pagination: follow `next`; no exact count unless count=true',
        params: ResourceParams,
        querystring: Type.Object({
          limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 32_000, default: 1000 })),
          after: Type.Optional(Type.Integer({ minimum: 0, description: '上一頁最後一筆的 _id（由 next 給出）the last _id of the previous page (next gives it)' })),
          count: Type.Optional(Type.Boolean({ default: false })),
          version: Type.Optional(Type.Integer({ minimum: 1 })),
        }),
        response: {
          200: Type.Object({
            fields: Type.Array(Type.Object({ id: Type.String(), type: Type.String(), title: Type.Union([Type.String(), Type.Null()]) })),
            records: Type.Array(Type.Record(Type.String(), Type.Unknown())),
            next: Type.Union([Type.String(), Type.Null()]),
            total: Type.Optional(Type.Integer()),
            version: Type.Integer(),
          }),
          ...errors,
        },
      },
    },
    async (req) => {
      const limit = req.query.limit ?? 1000;
      const page = await query.page(req.params.rid, req.user, { after: req.query.after ?? 0, limit, count: req.query.count ?? false, version: req.query.version });
      const next = page.lastId !== null && page.records.length === limit ? `/api/v1/resources/${encodeURIComponent(req.params.rid)}/records?limit=${limit}&after=${page.lastId}${req.query.version ? `&version=${req.query.version}` : ''}` : null;
      return { fields: page.fields, records: page.records, next, ...(page.total !== undefined ? { total: page.total } : {}), version: page.version };
    },
  );

  app.get(
    '/resources/:rid/data.:format',
    {
      schema: {
        tags: ['resources'],
        summary: '下載資料表 The table in an open format, streamed: csv (UTF-8; ?bom=true for Excel), json, xml, ods, xlsx; jsonstat for statistical cubes (latest public version, or ?version=N)',
        params: Type.Object({ rid: Type.String({ minLength: 1, maxLength: 200 }), format: Type.Union(Object.keys(EXPORTS).map((f) => Type.Literal(f))) }),
        querystring: Type.Object({ version: Type.Optional(Type.Integer({ minimum: 1 })), bom: Type.Optional(Type.Boolean({ default: false })) }),
        response: { 200: Type.Unsafe<NodeJS.ReadableStream>({ type: 'string', format: 'binary' }), ...errors },
      },
    },
    async (req, reply) => {
      const table = await query.resolve(req.params.rid, req.user, req.query.version);
      const fmt = EXPORTS[req.params.format];
      const base = `${req.params.rid}-v${table.version.version}`;
      void reply
        .type(fmt.type)
        .header('content-disposition', `attachment; filename="${base.replace(/[^\x20-\x7e]|"/g, '_')}.${fmt.ext}"`)
        .header('x-content-type-options', 'nosniff')
        .header('cache-control', 'public, max-age=300');
      if (req.params.format === 'jsonstat') {
        if (!table.version.cube_sha256) throw new AppError('NOT_A_CUBE', 409, 'JSON-stat 只提供統計資料立方體（PC-Axis、SDMX-JSON）', 'JSON-stat is offered for statistical cubes (PC-Axis, SDMX-JSON) only');
        const size = await files.size(table.version.cube_sha256);
        if (size !== undefined) void reply.header('content-length', String(size));
        return reply.send(files.open(table.version.cube_sha256));
      }
      // Chunked: the writer streams rows from the database with backpressure.
      const out = new PassThrough();
      const names = table.columns.map((c) => c.name);
      const rows = query.rows(table);
      const writers: Record<string, () => Promise<unknown>> = {
        csv: () => writeCsv(names, rows, out, { bom: req.query.bom === true }),
        json: () => writeJson(names, rows, out),
        xml: () => writeXml(names, rows, out),
        ods: () => writeOds(names, rows, out),
        xlsx: () => writeXlsx(names, rows, out),
      };
      const write = writers[req.params.format]();
      write.catch((err: unknown) => out.destroy(err as Error));
      return reply.send(out);
    },
  );

  const DictField = Type.Object({
    name: Type.String({ description: '欄位（檔案中的標題）field as headed in the file' }),
    type: Type.String({ description: 'integer | decimal | percent | date | boolean | text' }),
    inferredType: Type.String({ description: '推斷的型別 the type the loader proposed' }),
    title: Type.Union([Type.String(), Type.Null()]),
    description: Type.Union([Type.String(), Type.Null()]),
    unit: Type.Union([Type.String(), Type.Null()]),
    codes: Type.Union([Type.Array(Type.Object({ code: Type.String(), meaning: Type.String() })), Type.Null()]),
  });
  const dictionaryOf = async (rid: string, user: FastifyRequest['user']) => {
    const table = await query.resolve(rid, user);
    return { version: table.version.version, fields: table.columns.map((c) => ({ name: c.name, type: c.type, inferredType: c.inferredType, title: c.title, description: c.description, unit: c.unit, codes: c.codes })) };
  };

  app.get(
    '/resources/:rid/dictionary',
    { schema: { tags: ['resources'], summary: '資料字典 The data dictionary of the resource\'s table', params: ResourceParams, response: { 200: Type.Object({ version: Type.Integer(), fields: Type.Array(DictField) }), ...errors } } },
    async (req) => dictionaryOf(req.params.rid, req.user),
  );

  app.put(
    '/resources/:rid/dictionary',
    {
      schema: {
        tags: ['resources'],
        summary: '編修資料字典 Edit the dictionary: titles, descriptions, units, code meanings; a changed type reloads the table; feeds 主要欄位說明 through the review gate',
        security,
        params: ResourceParams,
        body: Type.Object({
          fields: Type.Array(
            Type.Object({
              name: Type.String({ maxLength: 500 }),
              type: Type.Optional(Type.String({ maxLength: 20 })),
              title: Type.Optional(Type.Union([Type.String({ maxLength: 200 }), Type.Null()])),
              description: Type.Optional(Type.Union([Type.String({ maxLength: 2000 }), Type.Null()])),
              unit: Type.Optional(Type.Union([Type.String({ maxLength: 100 }), Type.Null()])),
              codes: Type.Optional(Type.Union([Type.Array(Type.Object({ code: Type.String({ maxLength: 100 }), meaning: Type.String({ maxLength: 500 }) }), { maxItems: 1000 }), Type.Null()])),
            }),
            { maxItems: 2000 },
          ),
        }),
        response: { 200: Type.Object({ jobId: Type.Union([Type.String(), Type.Null()]), status: Type.Object({ id: Type.String(), state: Type.String() }, { additionalProperties: true }), version: Type.Integer(), fields: Type.Array(DictField) }), ...errors },
      },
    },
    async (req) => {
      const user = userOf(req);
      const result = await uploads.updateDictionary(user, req.params.rid, req.body.fields);
      return { ...result, ...(await dictionaryOf(req.params.rid, user)) };
    },
  );
};
