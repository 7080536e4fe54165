import type { ActivityStatus } from '@app/compliance';
import { Access, type Principal } from '@app/auth';
import { COMMENTABLE_STATUSES } from '../comments/comments.service';
import { EDITABLE_STATUSES } from './activities.service';

/** What the caller may do with an activity they can see (found through their scope), by its status. */
export interface ActivityActions {
  /** Edit, submit and remove files: drafts and rejected ones, by those who record. */
  editable: boolean;
  /** Files may still be added while the activity waits for review (not removed). */
  canAddEvidence: boolean;
  canReview: boolean;
  canComment: boolean;
}

export function activityActions(p: Principal, a: { status: ActivityStatus }): ActivityActions {
  const recorder = Access.can(p, 'activities:record');
  const editable = recorder && EDITABLE_STATUSES.includes(a.status);
  return {
    editable,
    canAddEvidence: editable || (recorder && a.status === 'submitted'),
    canReview: Access.can(p, 'activities:review') && a.status === 'submitted',
    canComment: Access.can(p, 'activities:comment') && COMMENTABLE_STATUSES.includes(a.status),
  };
}
