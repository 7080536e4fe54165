/** Outbox kinds of the event notices (and their labels in the admin outbox: web.admin.outbox.kindName.*). */
export const NOTICE_REJECTED = 'notice_rejected';
export const NOTICE_VERIFIED = 'notice_verified';
export const NOTICE_SUBMISSIONS = 'notice_submissions';
export const NOTICE_COMMENT = 'notice_comment';
export const NOTICE_KINDS = [NOTICE_REJECTED, NOTICE_VERIFIED, NOTICE_SUBMISSIONS, NOTICE_COMMENT] as const;

export const REJECTED_CHOICES = ['immediately', 'daily', 'off'] as const;
export const VERIFIED_CHOICES = ['hourly', 'daily', 'off'] as const;
export const SUBMISSIONS_CHOICES = ['daily', 'off'] as const;
export const COMMENTS_CHOICES = ['immediately', 'off'] as const;
