import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { buildApp } from '../../src/app.ts';
import { bootstrap } from '../../src/bootstrap.ts';
import { loadConfig, type Config } from '../../src/config.ts';
import { openDb } from '../../src/db/index.ts';
import { createServices, type Services } from '../../src/services.ts';

export type EngineName = 'sqlite' | 'postgres';

/** SQLite always; PostgreSQL too when TEST_DATABASE_URL is set (CI sets it). */
export const engines: EngineName[] = process.env.TEST_DATABASE_URL ? ['sqlite', 'postgres'] : ['sqlite'];

export interface TestEnv {
  services: Services;
  config: Config;
  dir: string;
  databaseUrl: string;
  cleanup(): Promise<void>;
}

/** A fresh database (new SQLite file or new PostgreSQL database), migrated, units and admin created. */
export async function makeEnv(engine: EngineName, env: Record<string, string> = {}): Promise<TestEnv> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'kaifang-test-'));
  let databaseUrl = `sqlite:${path.join(dir, 'test.sqlite')}`;
  let dropDb: (() => Promise<void>) | undefined;
  if (engine === 'postgres') {
    const admin = process.env.TEST_DATABASE_URL;
    if (!admin) throw new Error('TEST_DATABASE_URL is not set');
    const name = `kf_test_${randomBytes(6).toString('hex')}`;
    const c = new pg.Client({ connectionString: admin });
    await c.connect();
    await c.query(`create database ${name}`);
    await c.end();
    const u = new URL(admin);
    u.pathname = `/${name}`;
    databaseUrl = u.toString();
    dropDb = async () => {
      const c2 = new pg.Client({ connectionString: admin });
      await c2.connect();
      await c2.query(`drop database if exists ${name} with (force)`);
      await c2.end();
    };
  }
  const config = loadConfig({ KAIFANG_DATA_DIR: dir, DATABASE_URL: databaseUrl, KAIFANG_DEMO: '0', KAIFANG_ADMIN_PASSWORD: 'admin-password-for-tests', KAIFANG_BASE_URL: 'http://portal.test', ...env });
  const db = openDb(config.databaseUrl);
  const services = createServices(config, db);
  await bootstrap(services);
  return {
    services,
    config,
    dir,
    databaseUrl,
    cleanup: async () => {
      await db.destroy();
      await dropDb?.();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export async function makeApp(engine: EngineName, env: Record<string, string> = {}) {
  const t = await makeEnv(engine, env);
  const app = await buildApp(t.services);
  return {
    ...t,
    app,
    cleanup: async () => {
      await app.close();
      await t.cleanup();
    },
  };
}

const TESTDATA = path.resolve(import.meta.dirname, '../../../shared/testdata');

/**
 * Path to a real-world file in ../shared/testdata, or undefined when the folder is absent
 * (users clone without it). CI sets KAIFANG_REQUIRE_TESTDATA=1, which turns absence into a failure.
 */
export function testdata(rel: string): string | undefined {
  const p = path.join(TESTDATA, rel);
  if (existsSync(p)) return p;
  if (process.env.KAIFANG_REQUIRE_TESTDATA === '1') throw new Error(`testdata missing: ${p} (KAIFANG_REQUIRE_TESTDATA=1)`);
  return undefined;
}
