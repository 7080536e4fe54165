import type { MigrationObject } from '@mikro-orm/core';
import { Migration20261121125330 } from './Migration20261121125330';
import { Migration20261121130247 } from './Migration20261121130247';
import { Migration20261201095406 } from './Migration20261201095406';
import { Migration20261201105048 } from './Migration20261201105048';
import { Migration20261201124334 } from './Migration20261201124334';
import { Migration20261201154031 } from './Migration20261201154031';
import { Migration20261201162528 } from './Migration20261201162528';
import { Migration20261201162546 } from './Migration20261201162546';
import { Migration20261201162607 } from './Migration20261201162607';
import { Migration20261201194731 } from './Migration20261201194731';
import { Migration20261201194919 } from './Migration20261201194919';
import { Migration20261201195144 } from './Migration20261201195144';
import { Migration20261201232754 } from './Migration20261201232754';
import { Migration20261201233006 } from './Migration20261201233006';

export const SQLITE_MIGRATIONS: MigrationObject[] = [
  { name: 'Migration20261121125330', class: Migration20261121125330 },
  { name: 'Migration20261121130247', class: Migration20261121130247 },
  { name: 'Migration20261201095406', class: Migration20261201095406 },
  { name: 'Migration20261201105048', class: Migration20261201105048 },
  { name: 'Migration20261201124334', class: Migration20261201124334 },
  { name: 'Migration20261201154031', class: Migration20261201154031 },
  { name: 'Migration20261201162528', class: Migration20261201162528 },
  { name: 'Migration20261201162546', class: Migration20261201162546 },
  { name: 'Migration20261201162607', class: Migration20261201162607 },
  { name: 'Migration20261201194731', class: Migration20261201194731 },
  { name: 'Migration20261201194919', class: Migration20261201194919 },
  { name: 'Migration20261201195144', class: Migration20261201195144 },
  { name: 'Migration20261201232754', class: Migration20261201232754 },
  { name: 'Migration20261201233006', class: Migration20261201233006 },
];
