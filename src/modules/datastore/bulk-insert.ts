import { once } from 'node:events';
import path from 'node:path';
import SQLite from 'better-sqlite3';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import type { Db } from '../../db/index.ts';

type Cell = string | number | boolean | null;

/** Rows per SQLite transaction: big enough to be fast, small enough to hold the write lock briefly and little in memory. */
const SQLITE_CHUNK = 5000;
/** Rows per multi-row insert statement on SQLite, fewer for wide tables: a statement binds at most MAX_PARAMS values (SQLite allows 32,766). */
const MULTI = 32;
const MAX_PARAMS = 30_000;

/**
 * Bulk insert into a freshly created datastore table, the fast way each engine offers: on SQLite
 * a prepared statement run in chunked transactions on a side connection; on PostgreSQL `COPY …
 * FROM STDIN` on its own client. Rows come in batches (arrays of rows: one await per batch). The
 * table is new and not yet referenced by any ready version, so committing in chunks is safe:
 * readers see it only when the version is marked ready, and a failed load drops it. Returns the
 * number of rows inserted.
 */
export async function bulkInsert(db: Db, table: string, columns: readonly string[], batches: AsyncIterable<Cell[][]>, onChunk?: (rows: number) => void): Promise<number> {
  if (!/^ds_\d+$/.test(table) || columns.some((c) => !/^(_id|c\d+)$/.test(c))) throw new Error(`refusing bulk insert into ${table}`);
  return db.engine === 'sqlite' ? sqliteInsert(db.url, table, columns, batches, onChunk) : postgresInsert(db.url, table, columns, batches, onChunk);
}

async function sqliteInsert(url: string, table: string, columns: readonly string[], batches: AsyncIterable<Cell[][]>, onChunk?: (rows: number) => void): Promise<number> {
  const file = url.slice('sqlite:'.length);
  if (!file || file === ':memory:') throw new Error('bulk insert needs a SQLite file');
  const conn = new SQLite(path.resolve(file));
  try {
    conn.pragma('busy_timeout = 10000');
    // The table is dropped if the load fails: losing its last chunks to a power cut costs nothing.
    conn.pragma('synchronous = OFF');
    // Rows go in several to a statement: one call into SQLite per `multi` rows, not per row.
    const cols = columns.map((c) => `"${c}"`).join(', ');
    const tuple = `(${columns.map(() => '?').join(', ')})`;
    const width = columns.length;
    const multi = Math.max(1, Math.min(MULTI, Math.floor(MAX_PARAMS / width)));
    const many = conn.prepare(`insert into "${table}" (${cols}) values ${Array.from({ length: multi }, () => tuple).join(', ')}`);
    const one = conn.prepare(`insert into "${table}" (${cols}) values ${tuple}`);
    const params: Cell[] = new Array<Cell>(multi * width);
    const value = (v: Cell): Cell => (typeof v === 'boolean' ? (v ? 1 : 0) : v);
    const insertMany = conn.transaction((chunk: Cell[][][]) => {
      for (const batch of chunk) {
        let i = 0;
        for (; i + multi <= batch.length; i += multi) {
          let p = 0;
          for (let j = i; j < i + multi; j++) {
            const r = batch[j];
            for (let k = 0; k < width; k++) params[p++] = value(r[k] ?? null);
          }
          many.run(params);
        }
        for (; i < batch.length; i++) one.run(batch[i].map(value));
      }
    });
    let chunk: Cell[][][] = [];
    let pending = 0;
    let n = 0;
    for await (const batch of batches) {
      chunk.push(batch);
      pending += batch.length;
      if (pending >= SQLITE_CHUNK) {
        insertMany(chunk);
        n += pending;
        chunk = [];
        pending = 0;
        onChunk?.(n);
      }
    }
    if (pending) insertMany(chunk);
    return n + pending;
  } finally {
    conn.close();
  }
}

/** Text that COPY's text format must escape: backslash, tab, line ends. */
const COPY_SPECIAL = /[\\\t\n\r]/;

/** COPY's text format: tab-separated, \N for null, backslash escapes. */
function copyField(v: Cell): string {
  if (v === null) return '\\N';
  if (typeof v === 'number') return Number.isFinite(v) ? String(v) : '\\N';
  if (typeof v === 'boolean') return v ? '1' : '0';
  if (!COPY_SPECIAL.test(v)) return v;
  return v.replace(/\\/g, '\\\\').replace(/\t/g, '\\t').replace(/\n/g, '\\n').replace(/\r/g, '\\r');
}

/** Characters of COPY text sent at a time. */
const COPY_CHUNK = 1 << 18;

async function postgresInsert(url: string, table: string, columns: readonly string[], batches: AsyncIterable<Cell[][]>, onChunk?: (rows: number) => void): Promise<number> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const stream = client.query(copyFrom(`COPY "${table}" (${columns.map((c) => `"${c}"`).join(', ')}) FROM STDIN`));
    const done = new Promise<void>((resolve, reject) => {
      stream.on('finish', resolve);
      stream.on('error', reject);
    });
    let n = 0;
    let reported = 0;
    let buf = '';
    for await (const batch of batches) {
      for (const r of batch) {
        let line = copyField(r[0]);
        for (let k = 1; k < r.length; k++) line += `\t${copyField(r[k])}`;
        buf += `${line}\n`;
      }
      n += batch.length;
      if (buf.length > COPY_CHUNK) {
        if (!stream.write(buf)) await once(stream, 'drain');
        buf = '';
      }
      if (n - reported >= 50_000) {
        reported = n;
        onChunk?.(n);
      }
    }
    stream.end(buf);
    await done;
    return n;
  } finally {
    await client.end();
  }
}
