import { once } from 'node:events';
import path from 'node:path';
import SQLite from 'better-sqlite3';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import type { Db } from '../../db/index.ts';

type Cell = string | number | boolean | null;

/** Rows per SQLite transaction: big enough to be fast, small enough to keep the event loop moving. */
const SQLITE_CHUNK = 20_000;

/**
 * Bulk insert into a freshly created datastore table, the fast way each engine offers: on SQLite
 * a prepared statement run in chunked transactions on a side connection; on PostgreSQL `COPY …
 * FROM STDIN` on its own client. The table is new and not yet referenced by any ready version, so
 * committing in chunks is safe: readers see it only when the version is marked ready, and a
 * failed load drops it. Returns the number of rows inserted.
 */
export async function bulkInsert(db: Db, table: string, columns: readonly string[], rows: AsyncIterable<Cell[]>, onChunk?: (rows: number) => void): Promise<number> {
  if (!/^ds_\d+$/.test(table) || columns.some((c) => !/^(_id|c\d+)$/.test(c))) throw new Error(`refusing bulk insert into ${table}`);
  return db.engine === 'sqlite' ? sqliteInsert(db.url, table, columns, rows, onChunk) : postgresInsert(db.url, table, columns, rows, onChunk);
}

async function sqliteInsert(url: string, table: string, columns: readonly string[], rows: AsyncIterable<Cell[]>, onChunk?: (rows: number) => void): Promise<number> {
  const file = url.slice('sqlite:'.length);
  if (!file || file === ':memory:') throw new Error('bulk insert needs a SQLite file');
  const conn = new SQLite(path.resolve(file));
  try {
    conn.pragma('busy_timeout = 10000');
    const stmt = conn.prepare(`insert into "${table}" (${columns.map((c) => `"${c}"`).join(', ')}) values (${columns.map(() => '?').join(', ')})`);
    const insertMany = conn.transaction((chunk: Cell[][]) => {
      for (const r of chunk) stmt.run(r.map((v) => (typeof v === 'boolean' ? (v ? 1 : 0) : v)));
    });
    let chunk: Cell[][] = [];
    let n = 0;
    for await (const r of rows) {
      chunk.push(r);
      if (chunk.length >= SQLITE_CHUNK) {
        insertMany(chunk);
        n += chunk.length;
        chunk = [];
        onChunk?.(n);
      }
    }
    if (chunk.length) insertMany(chunk);
    return n + chunk.length;
  } finally {
    conn.close();
  }
}

/** COPY's text format: tab-separated, \N for null, backslash escapes. */
function copyField(v: Cell): string {
  if (v === null) return '\\N';
  if (typeof v === 'number') return Number.isFinite(v) ? String(v) : '\\N';
  if (typeof v === 'boolean') return v ? '1' : '0';
  return v.replace(/\\/g, '\\\\').replace(/\t/g, '\\t').replace(/\n/g, '\\n').replace(/\r/g, '\\r');
}

async function postgresInsert(url: string, table: string, columns: readonly string[], rows: AsyncIterable<Cell[]>, onChunk?: (rows: number) => void): Promise<number> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const stream = client.query(copyFrom(`COPY "${table}" (${columns.map((c) => `"${c}"`).join(', ')}) FROM STDIN`));
    const done = new Promise<void>((resolve, reject) => {
      stream.on('finish', resolve);
      stream.on('error', reject);
    });
    let n = 0;
    let buf = '';
    for await (const r of rows) {
      buf += `${r.map(copyField).join('\t')}\n`;
      n++;
      if (buf.length > 1 << 16) {
        if (!stream.write(buf)) await once(stream, 'drain');
        buf = '';
      }
      if (n % 50_000 === 0) onChunk?.(n);
    }
    stream.end(buf);
    await done;
    return n;
  } finally {
    await client.end();
  }
}
