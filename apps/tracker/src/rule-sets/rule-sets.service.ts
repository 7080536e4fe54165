import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Injectable, Optional } from '@nestjs/common';
import {
  type FieldSpec,
  type KindCatalogue,
  type KindSpec,
  latestRuleSet,
  loadKindCatalogue,
  loadRuleSetsFromDir,
  type LocalizedText,
  type RuleSet,
  ruleSetKey,
} from '@app/compliance';
import { Env, InvalidInputError, NotFoundError } from '@app/common';
import { ACTIVITY_CATEGORY_FIELDS, ACTIVITY_INTEGER_FIELDS } from '@app/db';
import { ROOT_DIR } from '../web/paths';

/** config/ of the checkout, unless CONFIG_DIR names another folder. */
export function configDir(env?: Pick<Env, 'CONFIG_DIR'>): string {
  const dir = env?.CONFIG_DIR ? resolve(env.CONFIG_DIR) : join(ROOT_DIR, 'config');
  if (!existsSync(join(dir, 'requirement-kinds.json')) || !existsSync(join(dir, 'rule-sets'))) {
    throw new Error(`CONFIG_DIR: ${dir} holds no requirement-kinds.json and rule-sets/ folder`);
  }
  return dir;
}

/** A requirement kind as a unit of a rule set logs it: the kind's fields, the rule set's labels. */
export interface RequirementKindView extends KindSpec {
  shortLabel: LocalizedText;
  fields: (FieldSpec & { required: boolean })[];
}

/**
 * The requirement registry: rule sets (config/rule-sets) and the kind catalogue
 * (config/requirement-kinds.json), read and cross-checked once at start-up. Everything that asks which
 * requirements a unit has, which fields an activity of a kind takes, or how one is labelled asks here.
 */
@Injectable()
export class RuleSetsService {
  readonly catalogue: KindCatalogue;
  private readonly sets: Map<string, RuleSet>;
  /** Worked out once at load (rule sets and catalogue never change at run time): kinds per rule set, all kinds. */
  private readonly kinds = new Map<string, RequirementKindView[]>();
  private readonly everyKind: RequirementKindView[];

  constructor(@Optional() env?: Env) {
    const dir = configDir(env);
    this.catalogue = loadKindCatalogue(
      join(dir, 'requirement-kinds.json'),
      ACTIVITY_CATEGORY_FIELDS,
      ACTIVITY_INTEGER_FIELDS,
    );
    this.sets = loadRuleSetsFromDir(join(dir, 'rule-sets'), this.catalogue);
    for (const [key, ruleSet] of this.sets) this.kinds.set(key, this.viewKinds(ruleSet));
    const seen = new Map<string, RequirementKindView>();
    for (const ruleSet of this.all().sort((a, b) => b.version - a.version)) {
      for (const k of this.kindsOf(ruleSet)) if (!seen.has(k.key)) seen.set(k.key, k);
    }
    this.everyKind = [...seen.values()];
  }

  all(): RuleSet[] {
    return [...this.sets.values()].sort(
      (a, b) => a.program.localeCompare(b.program) || a.version - b.version,
    );
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

  /** Every field of the catalogue, in catalogue order (export columns, detail pages). */
  fields(): FieldSpec[] {
    return [...this.catalogue.fields.values()];
  }

  field(name: string): FieldSpec | undefined {
    return this.catalogue.fields.get(name);
  }

  kind(key: string): KindSpec | undefined {
    return this.catalogue.kinds.get(key);
  }

  /** The requirements of a rule set as kinds to log, in rule-set order, labelled by the rule set. */
  kindsOf(ruleSet: RuleSet): RequirementKindView[] {
    return this.kinds.get(ruleSetKey(ruleSet)) ?? this.viewKinds(ruleSet);
  }

  /**
   * The kinds of every rule set, one per key, labelled by the first rule set (latest version first) that
   * has it: filters and forms that span units of several programs.
   */
  allKinds(): RequirementKindView[] {
    return this.everyKind;
  }

  /** A kind's short label where it is not tied to one unit (filters): as allKinds() labels it. */
  kindLabel(key: string): LocalizedText {
    return (
      this.allKinds().find((k) => k.key === key)?.shortLabel ?? this.kind(key)?.label ?? { zh: key, en: key }
    );
  }

  /** The short label of `key` in a unit's rule set; the kind's own label, else the key, when it has none. */
  requirementLabel(program: string, version: number, key: string): LocalizedText {
    const req = this.sets.get(ruleSetKey({ program, version }))?.requirements.find((r) => r.key === key);
    return req?.shortLabel ?? this.kind(key)?.label ?? { zh: key, en: key };
  }

  /** The label of a choice field's value (标准层级 national → 国家标准); the value itself when unknown. */
  valueLabel(field: string, value: string): LocalizedText {
    return this.field(field)?.values?.find((v) => v.value === value)?.label ?? { zh: value, en: value };
  }

  private viewKinds(ruleSet: RuleSet): RequirementKindView[] {
    return ruleSet.requirements.map((req) => {
      const kind = this.catalogue.kinds.get(req.key) as KindSpec; // checked at load
      return {
        ...kind,
        label: req.label,
        shortLabel: req.shortLabel,
        fields: [
          ...kind.required.map((f) => ({ ...(this.field(f) as FieldSpec), required: true })),
          ...kind.optional.map((f) => ({ ...(this.field(f) as FieldSpec), required: false })),
        ],
      };
    });
  }

  /**
   * SPEC §3 "Only the rule set's kinds": a unit logs only requirements of its own rule set. The
   * error names the field `requirement` and the refused key.
   */
  assertLoggable(ruleSet: RuleSet, requirement: string): void {
    if (ruleSet.requirements.some((r) => r.key === requirement)) return;
    const allowed = ruleSet.requirements.map((r) => r.key).join(', ');
    throw new InvalidInputError(
      'requirement',
      'isIn',
      `「${requirement}」不是本单位所属规则（${ruleSet.name.zh} 第 ${ruleSet.version} 版）中的任务，可选：${allowed}`,
      `requirement ${requirement} is not a requirement of the unit's rule set ${ruleSetKey(ruleSet)}; allowed: ${allowed}`,
    );
  }
}
