import { applyDecorators } from '@nestjs/common';
import { Transform, Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsString, Max, MaxLength, Min, MinLength } from 'class-validator';
import { IntersectionType, PickType } from '@nestjs/swagger';
import { ActivityQuery } from '../activities/dto/activity.dto';
import { trim } from '../common/validators';
import { ReviewQueueQuery } from '../activities/dto/review.dto';
import { ScopeComplianceQuery, UnitComplianceQuery } from '../compliance/dto/compliance.dto';
import { LeagueQuery } from '../compliance/dto/league.dto';
import {
  COMMENTS_CHOICES,
  REJECTED_CHOICES,
  SUBMISSIONS_CHOICES,
  VERIFIED_CHOICES,
} from '../notices/notice-kinds';

/*
 * Shapes of page forms and page query strings. Pages share the API's ValidationPipe (unknown fields are
 * refused), so the fields every page form carries (_csrf, next) and every page URL may carry (lang)
 * are declared here once.
 */

/**
 * `?page=` of a paged page, bounded alike everywhere. Listed in the order stacked decorators take effect
 * (bottom first), so the messages of a bad value keep their order.
 */
export const IsPageNumber = () =>
  applyDecorators(
    Max(100000),
    Min(1),
    IsInt(),
    Type(() => Number),
    IsOptional(),
  );

/** How many pages `total` rows fill; an empty list is still one page. */
export function pageCount(total: number, pageSize: number): number {
  return Math.max(1, Math.ceil(total / pageSize));
}

export class PageQueryBase {
  @IsOptional()
  @IsIn(['zh', 'en'])
  lang?: 'zh' | 'en';
}

export class FormBase {
  /** Checked by the global AuthGuard against the session; declared so the pipe lets it through. */
  @IsOptional()
  @IsString()
  @MaxLength(200)
  _csrf?: string;

  /** Where to go afterwards (a local path; anything else becomes '/'). */
  @IsOptional()
  @IsString()
  @MaxLength(2000)
  next?: string;
}

export class LoginPageQuery extends PageQueryBase {
  @IsOptional()
  @IsString()
  @MaxLength(2000)
  next?: string;
}

export class LoginForm extends FormBase {
  // Not @IsEmail: a malformed address is simply a failed sign-in, shown on the form.
  @IsString()
  @MaxLength(254)
  email: string;

  @IsString()
  @MaxLength(200)
  password: string;
}

/** The page a reset mail links to: `/reset-password?token=…`. */
export class ResetPasswordPageQuery extends PageQueryBase {
  @IsOptional()
  @IsString()
  @MaxLength(200)
  token?: string;
}

/** Why the single sign-on was not completed; `next` as on the sign-in page. */
export class OidcStartQuery extends PageQueryBase {
  @IsOptional()
  @IsString()
  @MaxLength(2000)
  next?: string;
}

export class LocaleForm extends FormBase {
  @IsIn(['zh', 'en'])
  locale: 'zh' | 'en';
}

/** The notification settings form: each select always sends its value. */
export class NoticesForm extends FormBase {
  @IsIn(REJECTED_CHOICES)
  rejected: (typeof REJECTED_CHOICES)[number];

  @IsIn(VERIFIED_CHOICES)
  verified: (typeof VERIFIED_CHOICES)[number];

  @IsIn(SUBMISSIONS_CHOICES)
  submissions: (typeof SUBMISSIONS_CHOICES)[number];

  @IsIn(COMMENTS_CHOICES)
  comments: (typeof COMMENTS_CHOICES)[number];
}

/** Messages shown once after a redirect (`?done=saved`), as keys of the catalog under web.flash. */
export const FLASHES = [
  'created',
  'saved',
  'submitted',
  'deleted',
  'uploaded',
  'evidenceDeleted',
  'savedNeedsEvidence',
  'verified',
  'rejected',
  'unitCreated',
  'unitSaved',
  'userCreated',
  'userSaved',
  'mailRetried',
  'targetSaved',
  'reminderDaysSaved',
  'calendarCreated',
  'calendarRevoked',
  'targetRemoved',
  'passwordChanged',
  'commented',
  'changesRequested',
  'statusChanged',
  'periodClosed',
  'periodReopened',
  'duplicateExplained',
] as const;

export type FlashKey = (typeof FLASHES)[number];

export class FlashQuery extends PageQueryBase {
  @IsOptional()
  @IsIn(FLASHES)
  done?: FlashKey;
}

/** The unit page: the API's period pick (UnitComplianceQuery) and activity filters (ActivityQuery). */
export class UnitPageQuery extends IntersectionType(
  FlashQuery,
  UnitComplianceQuery,
  PickType(ActivityQuery, ['requirement', 'status', 'q'] as const),
) {
  @IsPageNumber()
  page?: number;
}

/**
 * The overview: the API's scope filters (ScopeComplianceQuery), with the page's language; the industry
 * may be sent blank (the filter form's empty field), and the page size is fixed.
 */
export class OverviewQuery extends IntersectionType(
  PageQueryBase,
  PickType(ScopeComplianceQuery, ['at', 'province', 'status', 'cohort', 'unitStatus'] as const),
) {
  @IsOptional()
  @IsString()
  @MaxLength(100)
  industry?: string;

  @IsPageNumber()
  page?: number;
}

/** The review queue page: the API's queue filters (ReviewQueueQuery), with the page's language and flash. */
export class ReviewPageQuery extends IntersectionType(
  FlashQuery,
  PickType(ReviewQueueQuery, ['province', 'requirement', 'unitId'] as const),
) {
  @IsPageNumber()
  page?: number;

  /** Outcome of a bulk review, shown once. */
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(0)
  @Max(1000)
  ok?: number;

  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(0)
  @Max(1000)
  failed?: number;
}

export class RejectForm extends FormBase {
  @Transform(trim)
  @IsString()
  @MinLength(1)
  @MaxLength(1000)
  reason: string;
}

export class VerifyForm extends FormBase {}

/** Marking a duplicate claim explained, from the activity page. */
export class ExplainDuplicateForm extends FormBase {
  @Transform(({ value }) => (typeof value === 'string' ? value.trim() : value))
  @IsString()
  @MinLength(1)
  @MaxLength(1000)
  note: string;
}

/** "Request changes" on the review page and queue: the comment the activity goes back with. */
export class RequestChangesForm extends FormBase {
  @Transform(trim)
  @IsString()
  @MinLength(1)
  @MaxLength(1000)
  comment: string;
}

/** The league page and its exports: the API's grouping, year and order (LeagueQuery), with the page's language. */
export class LeaguePageQuery extends IntersectionType(
  PageQueryBase,
  PickType(LeagueQuery, ['by', 'year', 'sort', 'order'] as const),
) {}
