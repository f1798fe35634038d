import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { AppError } from '../../errors.ts';

export interface StoredFile {
  sha256: string;
  size: number;
}

/**
 * Where uploaded files live, by content: the same bytes are stored once, under their sha256.
 * The local store keeps them under `<dataDir>/files/ab/cd/<sha256>`; an S3-compatible store can
 * implement the same interface later (put streams in, open streams out with an optional range).
 */
export interface FileStore {
  /** Streams `source` in, hashing as it goes; refuses (and keeps nothing) past `maxBytes`. */
  put(source: Readable, opts?: { maxBytes?: number }): Promise<StoredFile>;
  /** The stored bytes, whole or the inclusive byte range [start, end]. */
  open(sha256: string, range?: { start: number; end: number }): Readable;
  size(sha256: string): Promise<number | undefined>;
  /** A local path, for readers that need random access (workbooks); undefined for remote stores. */
  localPath(sha256: string): string | undefined;
  /** Removes a file nothing refers to (an upload that was refused after it arrived). */
  remove(sha256: string): Promise<void>;
}

export const fileTooLarge = (maxBytes: number): AppError =>
  new AppError('FILE_TOO_LARGE', 413, `檔案超過上限 ${formatBytes(maxBytes)}`, `The file is larger than the limit of ${formatBytes(maxBytes)}`);

export function formatBytes(n: number): string {
  if (n >= 1024 ** 3) return `${(n / 1024 ** 3).toFixed(n % 1024 ** 3 === 0 ? 0 : 1)} GB`;
  if (n >= 1024 ** 2) return `${(n / 1024 ** 2).toFixed(n % 1024 ** 2 === 0 ? 0 : 1)} MB`;
  if (n >= 1024) return `${Math.round(n / 1024)} KB`;
  return `${n} B`;
}

const SHA256 = /^[0-9a-f]{64}$/;

export class LocalFileStore implements FileStore {
  constructor(private readonly root: string) {}

  private pathOf(sha256: string): string {
    if (!SHA256.test(sha256)) throw new AppError('BAD_FILE_ID', 400, '檔案識別碼格式錯誤', 'malformed file id');
    return path.join(this.root, sha256.slice(0, 2), sha256.slice(2, 4), sha256);
  }

  localPath(sha256: string): string {
    return this.pathOf(sha256);
  }

  async put(source: Readable, opts: { maxBytes?: number } = {}): Promise<StoredFile> {
    await mkdir(path.join(this.root, 'tmp'), { recursive: true });
    const tmp = path.join(this.root, 'tmp', `${Date.now()}-${randomBytes(8).toString('hex')}`);
    const hash = createHash('sha256');
    let size = 0;
    const max = opts.maxBytes ?? Number.POSITIVE_INFINITY;
    const meter = new Transform({
      transform(chunk: Buffer, _enc, done) {
        size += chunk.length;
        if (size > max) {
          done(fileTooLarge(max));
          return;
        }
        hash.update(chunk);
        done(null, chunk);
      },
    });
    const out = createWriteStream(tmp);
    try {
      await pipeline(source, meter, out);
    } catch (err) {
      // A refusal can come while the file is still being opened: removing it before the stream has
      // closed would leave the file it creates afterwards behind.
      if (!out.closed) await new Promise<void>((resolve) => out.once('close', () => resolve()));
      await rm(tmp, { force: true });
      throw err;
    }
    const sha256 = hash.digest('hex');
    const dest = this.pathOf(sha256);
    await mkdir(path.dirname(dest), { recursive: true });
    // Same content already stored: keep the one copy.
    if (await this.size(sha256).then((s) => s === size)) await rm(tmp, { force: true });
    else await rename(tmp, dest);
    return { sha256, size };
  }

  open(sha256: string, range?: { start: number; end: number }): Readable {
    return createReadStream(this.pathOf(sha256), range ? { start: range.start, end: range.end } : {});
  }

  async remove(sha256: string): Promise<void> {
    await rm(this.pathOf(sha256), { force: true });
  }

  async size(sha256: string): Promise<number | undefined> {
    try {
      return (await stat(this.pathOf(sha256))).size;
    } catch {
      return undefined;
    }
  }
}
