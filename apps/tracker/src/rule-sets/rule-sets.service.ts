import { join } from 'node:path';
import { Injectable } from '@nestjs/common';
import { latestRuleSet, loadRuleSetsFromDir, type RuleSet, ruleSetKey } from '@app/compliance';
import { NotFoundError } from '@app/common';

/** Where config/ lives, whether running from source (tests) or from dist/. */
export const CONFIG_DIR = join(__dirname.split(/[\\/](apps|dist)[\\/]/)[0], 'config');

/** Rule sets are data under config/rule-sets, read and validated once at start-up. */
@Injectable()
export class RuleSetsService {
  private readonly sets: Map<string, RuleSet> = loadRuleSetsFromDir(join(CONFIG_DIR, 'rule-sets'));

  all(): RuleSet[] {
    return [...this.sets.values()];
  }

  /** The version a unit started with. */
  get(program: string, version: number): RuleSet {
    const set = this.sets.get(ruleSetKey({ program, version }));
    if (!set) throw new NotFoundError(`rule set ${program}@${version}`);
    return set;
  }

  latest(program: string): RuleSet {
    const set = latestRuleSet(this.sets, program);
    if (!set) throw new NotFoundError(`program ${program}`);
    return set;
  }
}
