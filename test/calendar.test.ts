import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bootstrap } from '../src/bootstrap.ts';
import { kaifang, noStackTrace } from './helpers/cli.ts';
import { engines, makeEnv, type TestEnv } from './helpers/env.ts';

const shipped = JSON.parse(readFileSync(new URL('../src/modules/calendar/years/2026.json', import.meta.url), 'utf8')) as Record<string, unknown> & { holidays: { date: string; name: string }[] };

describe.each(engines)('the working-day calendar on %s', (engine) => {
  let t: TestEnv;
  let env: Record<string, string>;
  beforeAll(async () => {
    t = await makeEnv(engine);
    env = { KAIFANG_DATA_DIR: t.dir, DATABASE_URL: t.databaseUrl, KAIFANG_DEMO: '0', KAIFANG_ADMIN_PASSWORD: 'admin-password-for-tests' };
  });
  afterAll(async () => t.cleanup());

  it('the shipped years are loaded on first start, once, audited; the admin replaces a year from the CLI; a bad file changes nothing', async () => {
    const years = await t.services.calendar.years();
    expect(years.map((y) => y.year)).toEqual([2026]);
    expect(years[0].holidays).toHaveLength(16);
    await bootstrap(t.services);
    expect(await t.services.calendar.ensureShipped()).toEqual([]);
    expect((await t.services.audit.log({ entityId: '2026' })).filter((e) => e.action === 'calendar.load')).toHaveLength(1);
    const cal = await t.services.calendar.calendar();
    expect(cal.addWorkingDays('2026-02-13', 1)).toBe('2026-02-23');

    // A typhoon day added by the admin (an edited copy of the shipped file).
    const edited = { ...shipped, holidays: [...shipped.holidays, { date: '2026-07-29', name: '颱風停止上班（測試）' }] };
    const file = path.join(t.dir, '2026.json');
    writeFileSync(file, JSON.stringify(edited));
    const ok = await kaifang(['calendar', 'load', file], env);
    expect(ok.code, ok.stderr).toBe(0);
    expect(ok.stdout).toContain('2026：17 個放假日、0 個補行上班日');
    expect((await t.services.calendar.calendar()).isWorkingDay('2026-07-29')).toBe(false);
    const shown = await kaifang(['calendar', 'show', '--year', '2026'], env);
    expect(shown.stdout).toContain('2026-07-29\t放假 off\t颱風停止上班（測試）');

    writeFileSync(file, JSON.stringify({ ...edited, holidays: [{ date: '2026-13-01', name: '' }] }));
    const bad = await kaifang(['calendar', 'load', file], env);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('holidays entry 1: date "2026-13-01" must be YYYY-MM-DD');
    expect(bad.stderr).toContain('日曆檔有 1 個問題，未載入');
    noStackTrace(bad);
    expect((await t.services.calendar.years())[0].holidays).toHaveLength(17);
  });
});
