import type { Config } from './config.ts';
import type { Db } from './db/index.ts';
import { CatalogueService } from './modules/catalogue/catalogue.service.ts';
import { UnitsService } from './modules/units/units.service.ts';
import { UsersService } from './modules/users/users.service.ts';

/** Everything the routes and the CLI call; built once per process. */
export interface Services {
  config: Config;
  db: Db;
  units: UnitsService;
  catalogue: CatalogueService;
  users: UsersService;
}

export function createServices(config: Config, db: Db): Services {
  const units = new UnitsService(db.kysely, config);
  return {
    config,
    db,
    units,
    catalogue: new CatalogueService(db, config, units),
    users: new UsersService(db.kysely, units),
  };
}
