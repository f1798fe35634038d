import { mkdirSync } from 'node:fs';
import path from 'node:path';
import SQLite from 'better-sqlite3';
import { Kysely, Migrator, PostgresDialect, SqliteDialect, type Migration, type MigrationProvider } from 'kysely';
import pg from 'pg';
import type { Database } from './types.ts';
import * as m001 from './migrations/001-catalogue.ts';
import * as m002 from './migrations/002-accounts.ts';
import * as m003 from './migrations/003-audit-notifications.ts';
import * as m004 from './migrations/004-review.ts';
import * as m005 from './migrations/005-provision-discontinuation.ts';
import * as m006 from './migrations/006-password-tokens.ts';
import * as m007 from './migrations/007-datastore.ts';
import * as m008 from './migrations/008-version-reading.ts';
import * as m009 from './migrations/009-quality.ts';
import * as m010 from './migrations/010-calendar.ts';
import * as m011 from './migrations/011-inventory-followup.ts';

export type Engine = 'sqlite' | 'postgres';

export interface Db {
  readonly kysely: Kysely<Database>;
  readonly engine: Engine;
  /** The `sqlite:<file>` or `postgres://` URL it was opened from (bulk loads open side connections). */
  readonly url: string;
  destroy(): Promise<void>;
}

/**
 * Kysely prepares every query afresh; better-sqlite3 statements are reusable, and preparing was a
 * fifth of the time spent saving a dataset. Kysely runs one query at a time per connection, so
 * sharing a prepared statement is safe.
 */
function withStatementCache(database: SQLite.Database): SQLite.Database {
  const cache = new Map<string, SQLite.Statement>();
  const prepare = database.prepare.bind(database);
  return new Proxy(database, {
    get(target, prop, receiver) {
      if (prop !== 'prepare') {
        const value = Reflect.get(target, prop, receiver) as unknown;
        return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
      }
      return (source: string) => {
        let stmt = cache.get(source);
        if (!stmt) {
          stmt = prepare(source);
          if (cache.size >= 2000) cache.clear();
          cache.set(source, stmt);
        }
        return stmt;
      };
    },
  });
}

/** Opens the database named by a `sqlite:<file>` or `postgres://` URL. */
export function openDb(databaseUrl: string): Db {
  if (databaseUrl.startsWith('sqlite:')) {
    const file = databaseUrl.slice('sqlite:'.length) || ':memory:';
    if (file !== ':memory:') mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
    const database = new SQLite(file);
    database.pragma('journal_mode = WAL');
    database.pragma('synchronous = NORMAL');
    database.pragma('foreign_keys = ON');
    database.pragma('busy_timeout = 5000');
    const kysely = new Kysely<Database>({ dialect: new SqliteDialect({ database: withStatementCache(database) }) });
    return { kysely, engine: 'sqlite', url: databaseUrl, destroy: () => kysely.destroy() };
  }
  const pool = new pg.Pool({ connectionString: databaseUrl, max: 10 });
  // Stop a bad PostgreSQL connection from taking the process down; queries on it fail instead.
  pool.on('error', () => undefined);
  const kysely = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  return { kysely, engine: 'postgres', url: databaseUrl, destroy: () => kysely.destroy() };
}

const migrations: Record<string, Migration> = {
  '001-catalogue': m001,
  '002-accounts': m002,
  '003-audit-notifications': m003,
  '004-review': m004,
  '005-provision-discontinuation': m005,
  '006-password-tokens': m006,
  '007-datastore': m007,
  '008-version-reading': m008,
  '009-quality': m009,
  '010-calendar': m010,
  '011-inventory-followup': m011,
};

const provider: MigrationProvider = { getMigrations: async () => migrations };

/** Brings the schema up to date; throws with the failing migration's name. */
export async function migrateToLatest(db: Db): Promise<void> {
  const migrator = new Migrator({ db: db.kysely, provider });
  const { error, results } = await migrator.migrateToLatest();
  if (error) {
    const failed = results?.find((r) => r.status === 'Error');
    throw new Error(`migration ${failed?.migrationName ?? '?'} failed: ${(error as Error).message}`, { cause: error });
  }
}
