import { Transform, Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsEmail,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  Max,
  MaxLength,
  Min,
  MinLength,
  registerDecorator,
  ValidateNested,
  type ValidationArguments,
  type ValidationOptions,
} from 'class-validator';
import {
  isIsoDate,
  PROVINCE_CODES,
  type ProvinceCode,
  UNIT_KINDS,
  UNIT_STATUSES,
  type UnitKind,
  type UnitStatus,
} from '@app/compliance';
import { PageQuery } from '../../common/pagination';
import { IsOmittable, IsCalendarDate, IsCreditCode, trim, upper } from '../../common/validators';

export const DEFAULT_PROGRAM = 'service-industry-demo';
/** A construction cycle is normally 2 years; anything beyond 5 is a typo. */
export const MAX_CYCLE_YEARS = 5;

/** The cycle end lies after the start and at most MAX_CYCLE_YEARS later (rules `isAfterStart`, `maxCycle`). */
export function cycleProblem(start: string, end: string): { rule: string; zh: string; en: string } | null {
  if (end <= start) {
    return {
      rule: 'isAfterStart',
      zh: '建设周期结束日期必须晚于开始日期',
      en: 'cycleEnd must be after cycleStart',
    };
  }
  const limit = `${Number(start.slice(0, 4)) + MAX_CYCLE_YEARS}${start.slice(4)}`;
  if (end > limit) {
    return {
      rule: 'maxCycle',
      zh: `建设周期不得超过 ${MAX_CYCLE_YEARS} 年`,
      en: `the cycle may last at most ${MAX_CYCLE_YEARS} years`,
    };
  }
  return null;
}

/** Checks cycleEnd against cycleStart on the same object (both must already be dates). */
function IsValidCycleEnd(options?: ValidationOptions) {
  return (target: object, propertyName: string) => {
    for (const rule of ['isAfterStart', 'maxCycle']) {
      registerDecorator({
        name: rule,
        target: target.constructor,
        propertyName,
        options: {
          message: (a: ValidationArguments) =>
            cycleProblem((a.object as { cycleStart: string }).cycleStart, String(a.value))!.en,
          ...options,
        },
        validator: {
          validate(value: unknown, a: ValidationArguments) {
            const start = (a.object as { cycleStart?: unknown }).cycleStart;
            if (!isIsoDate(value) || !isIsoDate(start)) return true; // reported by the date rules
            return cycleProblem(start, value)?.rule !== rule;
          },
        },
      });
    }
  };
}

export class ContactDto {
  @Transform(trim)
  @IsString()
  @MinLength(1)
  @MaxLength(100)
  name: string;

  @Transform(trim)
  @IsEmail()
  @MaxLength(254)
  email: string;

  @IsOptional()
  @IsIn(['zh', 'en'])
  locale?: 'zh' | 'en';
}

export class CreateUnitDto {
  @Transform(trim)
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  name: string;

  /** 统一社会信用代码; spaces are trimmed and letters upper-cased before the check. */
  @Transform(upper)
  @IsString()
  @MaxLength(18)
  @IsCreditCode()
  creditCode: string;

  @IsIn(PROVINCE_CODES)
  province: ProvinceCode;

  @Transform(trim)
  @IsString()
  @MinLength(1)
  @MaxLength(100)
  industry: string;

  @IsIn(UNIT_KINDS)
  kind: UnitKind;

  /** A program with a rule set under config/rule-sets; checked by the service. */
  @IsOptional()
  @IsString()
  @MaxLength(100)
  program?: string;

  @IsCalendarDate()
  cycleStart: string;

  @IsCalendarDate()
  @IsValidCycleEnd()
  cycleEnd: string;

  @IsOptional()
  @IsArray()
  @ArrayMaxSize(20)
  @ValidateNested({ each: true })
  @Type(() => ContactDto)
  contacts?: ContactDto[];

  @IsOptional()
  @IsIn(UNIT_STATUSES)
  status?: UnitStatus;
}

/** Every field optional; the service checks the merged cycle and program. */
export class UpdateUnitDto {
  @IsOmittable()
  @Transform(trim)
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  name?: string;

  @IsOmittable()
  @Transform(upper)
  @IsString()
  @MaxLength(18)
  @IsCreditCode()
  creditCode?: string;

  @IsOmittable()
  @IsIn(PROVINCE_CODES)
  province?: ProvinceCode;

  @IsOmittable()
  @Transform(trim)
  @IsString()
  @MinLength(1)
  @MaxLength(100)
  industry?: string;

  @IsOmittable()
  @IsIn(UNIT_KINDS)
  kind?: UnitKind;

  @IsOmittable()
  @IsString()
  @MaxLength(100)
  program?: string;

  /** Admins move a unit to another version of its program's rule set (e.g. v1 → v2, SPEC §3 v2). */
  @IsOmittable()
  @IsInt()
  @Min(1)
  @Max(1000)
  ruleSetVersion?: number;

  @IsOmittable()
  @IsCalendarDate()
  cycleStart?: string;

  @IsOmittable()
  @IsCalendarDate()
  @IsValidCycleEnd()
  cycleEnd?: string;

  @IsOmittable()
  @IsArray()
  @ArrayMaxSize(20)
  @ValidateNested({ each: true })
  @Type(() => ContactDto)
  contacts?: ContactDto[];

  @IsOmittable()
  @IsIn(UNIT_STATUSES)
  status?: UnitStatus;
}

export class UnitQuery extends PageQuery {
  @IsOptional()
  @IsIn(PROVINCE_CODES)
  province?: ProvinceCode;

  @IsOptional()
  @IsString()
  @MaxLength(100)
  industry?: string;

  @IsOptional()
  @IsIn(UNIT_STATUSES)
  status?: UnitStatus;

  @IsOptional()
  @IsIn(UNIT_KINDS)
  kind?: UnitKind;

  /** Year the construction cycle started. */
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(2000)
  @Max(2100)
  cohort?: number;

  /** Part of the name or of the credit code. */
  @IsOptional()
  @IsString()
  @MaxLength(100)
  q?: string;
}

export class ImportQuery {
  /** `true`: check every row and report, create nothing. */
  @IsOptional()
  @IsIn(['true', 'false', '1', '0'])
  dryRun?: string;
}
