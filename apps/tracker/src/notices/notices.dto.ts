import { IsIn } from 'class-validator';
import { IsOmittable } from '../common/validators';
import { COMMENTS_CHOICES, REJECTED_CHOICES, SUBMISSIONS_CHOICES, VERIFIED_CHOICES } from './notice-kinds';

/** The caller's event notice choices per kind. */
export class NoticePreferencesDto {
  /** Rejections of the unit's activities (unit users): each at once, one mail a day, or none. */
  rejected: (typeof REJECTED_CHOICES)[number];

  /** Verifications of the unit's activities (unit users): one mail per hour with any, one a day, or none. */
  verified: (typeof VERIFIED_CHOICES)[number];

  /** New submissions in the caller's scope (supervisors; administrators may opt in): a daily digest or none. */
  submissions: (typeof SUBMISSIONS_CHOICES)[number];

  /** New comments on activities of the caller's unit (unit users) or in the caller's scope (reviewers): each at once, or none. */
  comments: (typeof COMMENTS_CHOICES)[number];
}

/** Changes some choices; kinds left out keep theirs. */
export class UpdateNoticePreferencesDto {
  @IsOmittable()
  @IsIn(REJECTED_CHOICES)
  rejected?: (typeof REJECTED_CHOICES)[number];

  @IsOmittable()
  @IsIn(VERIFIED_CHOICES)
  verified?: (typeof VERIFIED_CHOICES)[number];

  @IsOmittable()
  @IsIn(SUBMISSIONS_CHOICES)
  submissions?: (typeof SUBMISSIONS_CHOICES)[number];

  @IsOmittable()
  @IsIn(COMMENTS_CHOICES)
  comments?: (typeof COMMENTS_CHOICES)[number];
}
