import type { ActivityFact } from '@app/compliance';
import { ACTIVITY_CATEGORY_FIELDS, type Activity } from '@app/db';

/**
 * Activity properties a rule set may filter on (`qualifies[].field`) or count distinct (`distinctBy`).
 * The SQL counts and activityFact() both read this list, so they judge the same fields; a rule naming
 * any other field matches nothing in either.
 */
export const ACTIVITY_ATTRIBUTES = ACTIVITY_CATEGORY_FIELDS satisfies readonly (keyof Activity)[];

export type ActivityAttribute = (typeof ACTIVITY_ATTRIBUTES)[number];

export function isActivityAttribute(field: string): field is ActivityAttribute {
  return (ACTIVITY_ATTRIBUTES as readonly string[]).includes(field);
}

/** What the pure engine sees of an activity (used where activities are already in memory, and in tests). */
export function activityFact(
  a: Pick<Activity, 'requirement' | 'date' | 'status'> & Partial<Pick<Activity, ActivityAttribute>>,
): ActivityFact {
  const attributes: ActivityFact['attributes'] = {};
  for (const field of ACTIVITY_ATTRIBUTES) {
    const value = a[field];
    attributes[field] = value == null ? null : String(value);
  }
  return { requirement: a.requirement, date: a.date, status: a.status, attributes };
}
