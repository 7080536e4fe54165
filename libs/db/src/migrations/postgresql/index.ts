import type { MigrationObject } from '@mikro-orm/core';
import { Migration20261121125330 } from './Migration20261121125330';
import { Migration20261121130247 } from './Migration20261121130247';
import { Migration20261201095406 } from './Migration20261201095406';
import { Migration20261201105047 } from './Migration20261201105047';
import { Migration20261201113654 } from './Migration20261201113654';
import { Migration20261201124333 } from './Migration20261201124333';
import { Migration20261201154031 } from './Migration20261201154031';
import { Migration20261201162528 } from './Migration20261201162528';
import { Migration20261201162546 } from './Migration20261201162546';
import { Migration20261201162607 } from './Migration20261201162607';
import { Migration20261201194730 } from './Migration20261201194730';
import { Migration20261201194918 } from './Migration20261201194918';
import { Migration20261201195143 } from './Migration20261201195143';
import { Migration20261201232753 } from './Migration20261201232753';
import { Migration20261201233006 } from './Migration20261201233006';

export const POSTGRESQL_MIGRATIONS: MigrationObject[] = [
  { name: 'Migration20261121125330', class: Migration20261121125330 },
  { name: 'Migration20261121130247', class: Migration20261121130247 },
  { name: 'Migration20261201095406', class: Migration20261201095406 },
  { name: 'Migration20261201105047', class: Migration20261201105047 },
  { name: 'Migration20261201113654', class: Migration20261201113654 },
  { name: 'Migration20261201124333', class: Migration20261201124333 },
  { name: 'Migration20261201154031', class: Migration20261201154031 },
  { name: 'Migration20261201162528', class: Migration20261201162528 },
  { name: 'Migration20261201162546', class: Migration20261201162546 },
  { name: 'Migration20261201162607', class: Migration20261201162607 },
  { name: 'Migration20261201194730', class: Migration20261201194730 },
  { name: 'Migration20261201194918', class: Migration20261201194918 },
  { name: 'Migration20261201195143', class: Migration20261201195143 },
  { name: 'Migration20261201232753', class: Migration20261201232753 },
  { name: 'Migration20261201233006', class: Migration20261201233006 },
];
