import type { Principal } from '@app/auth';
import { Access } from '@app/auth';
import type { DuplicateView } from '../integrity/integrity.service';

/** The activity page's duplicate-claims section: the matches, and whether the caller may explain them. */
export interface DuplicatesSection {
  items: DuplicateView[];
  canExplain: boolean;
}

export function duplicatesSection(p: Principal, items: DuplicateView[]): DuplicatesSection {
  return { items, canExplain: Access.can(p, 'integrity:explain') };
}
