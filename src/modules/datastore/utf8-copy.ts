import { createReadStream } from 'node:fs';
import { readHead } from '../ingest/file-head.ts';
import { Transform } from 'node:stream';
import type { Db } from '../../db/index.ts';
import { decodeStream, detectEncoding, encodingToRead, parseDeclaredEncoding } from '../ingest/encoding.ts';
import type { FileStore } from '../storage/file-store.ts';
import type { VersionRow } from './datastore.service.ts';

/** Delimited text formats: the ones whose UTF-8 copy is the same file in another encoding. */
const TEXT_FORMATS = new Set(['CSV', 'TSV', 'TXT']);
const SAMPLE_BYTES = 1 << 20;

/**
 * Publishes a UTF-8 copy of a delimited text version that came in another encoding (Big5, CP950,
 * UTF-16, GB18030, Latin-1): stored by content like any file, named on the version
 * (`utf8_sha256`), downloadable beside the original, which stays byte for byte as uploaded.
 * Returns the copy's sha256, or null when no copy is needed (not text, or UTF-8 already).
 */
export async function publishUtf8Copy(db: Db, store: FileStore, v: VersionRow): Promise<string | null> {
  if (!TEXT_FORMATS.has(v.format.toUpperCase()) || v.utf8_sha256) return v.utf8_sha256;
  const file = store.localPath(v.sha256);
  if (!file) return null;
  const { bytes: sample, complete } = await readHead(file, SAMPLE_BYTES);
  const encoding = encodingToRead(detectEncoding(sample, { complete }), v.encoding_declared ? parseDeclaredEncoding(v.encoding_declared) : undefined);
  // UTF-8 already, or not text at all (NUL bytes outside UTF-16): nothing to copy.
  if (encoding === 'UTF-8' || (!encoding.startsWith('UTF-16') && sample.includes(0))) return null;
  const toUtf8 = new Transform({
    writableObjectMode: true,
    transform(chunk: string | Buffer, _enc, done) {
      done(null, typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk);
    },
  });
  const copy = await store.put(createReadStream(file).pipe(decodeStream(encoding)).pipe(toUtf8));
  await db.kysely.transaction().execute(async (trx) => {
    await trx.insertInto('stored_files').values({ sha256: copy.sha256, size: copy.size, created_at: new Date().toISOString() }).onConflict((oc) => oc.column('sha256').doNothing()).execute();
    await trx.updateTable('resource_versions').set({ utf8_sha256: copy.sha256 }).where('id', '=', v.id).execute();
  });
  return copy.sha256;
}
