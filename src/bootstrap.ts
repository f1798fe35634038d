import { migrateToLatest } from './db/index.ts';
import type { Services } from './services.ts';

export interface BootstrapReport {
  adminCreated: boolean;
  /** Set only when the admin password was generated: show it once. */
  adminPassword?: string;
  demoLoaded: number;
}

/** First-start work, safe to repeat: migrate, create configured units and the admin account. */
export async function bootstrap(s: Services, opts: { loadDemo?: (s: Services) => Promise<number> } = {}): Promise<BootstrapReport> {
  await migrateToLatest(s.db);
  await s.units.ensureConfiguredUnits();
  const admin = await s.users.ensureAdmin(s.config.adminEmail, s.config.adminPassword);
  // The working-day calendar years the project ships (the admin's own edits are kept).
  await s.calendar.ensureShipped();
  let demoLoaded = 0;
  if (s.config.demo && opts.loadDemo) demoLoaded = await opts.loadDemo(s);
  return { adminCreated: admin.created, adminPassword: admin.password, demoLoaded };
}
