import { Busboy, type BusboyHeaders, type BusboyInstance } from '@fastify/busboy';
import type { FastifyRequest } from 'fastify';
import { AppError } from '../errors.ts';
import { sameToken } from '../modules/accounts/accounts.service.ts';

/** A file part as it streams in; drain it (`resume()`) when it is not wanted. */
export type FilePart = NodeJS.ReadableStream & { resume(): unknown };

export interface MultipartFormOptions {
  /** Busboy's limits: bytes of the one file, number of fields, bytes of a field, parts. */
  limits: { fileSize: number; fields: number; fieldSize: number; parts: number };
  /** The form field that holds the file (others are drained). */
  fileField?: string;
  /**
   * Takes the file part. `fields` holds the fields read so far (those placed before the file in
   * the form, the CSRF token among them). The form is read when this settles.
   */
  onFile(stream: FilePart, fileName: string, mediaType: string, fields: Readonly<Record<string, string>>): Promise<void>;
}

/**
 * Whether the fields read so far let the request write: an API-token caller, or a session whose
 * CSRF token came as the `_csrf` field before the file. A page without JavaScript cannot send the
 * CSRF header with a multipart form, so its token is a field; a file must not be kept before it
 * has been seen (the app-wide CSRF hook checks the body only once the whole form has arrived).
 */
export function mayWrite(req: FastifyRequest, fields: Readonly<Record<string, string>>): boolean {
  return req.authVia === 'token' || (req.authVia === 'session' && req.session !== null && typeof fields._csrf === 'string' && sameToken(fields._csrf, req.session.csrfToken));
}

/**
 * Reads a multipart form as it streams in (a back-office upload form: a few fields and one file)
 * and returns its fields as the body; the file goes to `onFile` and never into the body. Used as
 * a content-type parser by each upload route's plugin (the data files, the inventory).
 */
export async function readMultipartForm(req: FastifyRequest, payload: NodeJS.ReadableStream, opts: MultipartFormOptions): Promise<Record<string, string>> {
  const fields: Record<string, string> = {};
  const fileField = opts.fileField ?? 'file';
  let work: Promise<void> = Promise.resolve();
  let tookFile = false;
  await new Promise<void>((resolve, reject) => {
    let bb: BusboyInstance;
    try {
      bb = Busboy({ headers: req.headers as BusboyHeaders, limits: { ...opts.limits, files: 1 } });
    } catch {
      reject(new AppError('BAD_REQUEST', 400, 'multipart 表單格式錯誤', 'malformed multipart form'));
      return;
    }
    bb.on('field', (name: string, value: string) => {
      if (!(name in fields)) fields[name] = value;
    });
    bb.on('file', (name: string, stream: FilePart, fileName: string, _enc: string, mediaType: string) => {
      if (name !== fileField || tookFile) {
        stream.resume();
        return;
      }
      tookFile = true;
      work = opts.onFile(stream, fileName, mediaType || 'application/octet-stream', fields);
    });
    bb.on('finish', () => {
      work.then(resolve, reject);
    });
    bb.on('error', reject);
    payload.on('error', reject);
    payload.pipe(bb);
  });
  return fields;
}
