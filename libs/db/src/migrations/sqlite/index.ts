import type { MigrationObject } from '@mikro-orm/core';
import { Migration20261121125330 } from './Migration20261121125330';

export const SQLITE_MIGRATIONS: MigrationObject[] = [
  { name: 'Migration20261121125330', class: Migration20261121125330 },
];
