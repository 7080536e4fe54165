import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Injectable, Optional } from '@nestjs/common';
import { loadScoringTablesFromDir, type ScoringTable } from '@app/compliance';
import { Env } from '@app/common';
import { configDir, RuleSetsService } from '../rule-sets/rule-sets.service';

/**
 * The evaluation scoring tables (config/scoring/<program>.json), read and checked against the rule sets
 * once at start-up: a bad table stops start-up with a message naming the file and the field. A program
 * without a table gets no suggested score.
 */
@Injectable()
export class ScoringTablesService {
  private readonly tables: Map<string, ScoringTable>;

  constructor(ruleSets: RuleSetsService, @Optional() env?: Env) {
    const dir = join(configDir(env), 'scoring');
    this.tables = existsSync(dir) ? loadScoringTablesFromDir(dir, ruleSets.all()) : new Map();
  }

  of(program: string): ScoringTable | null {
    return this.tables.get(program) ?? null;
  }

  all(): ScoringTable[] {
    return [...this.tables.values()];
  }
}
