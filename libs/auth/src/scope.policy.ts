import type { FilterQuery } from '@mikro-orm/core';
import type { Activity, Unit } from '@app/db';
import type { Principal } from './principal';

/**
 * Which rows a caller sees (the query half of `Access`, which decides what a caller may do): admins see every unit, supervisors the units of their
 * provinces, unit users their own unit. Services add these filters to every query, so a record outside
 * the caller's scope is simply not found (404).
 */
export const ScopePolicy = {
  units(p: Principal): FilterQuery<Unit> {
    const live = { deletedAt: null };
    switch (p.role) {
      case 'admin':
        return live;
      case 'supervisor':
        return { ...live, province: { $in: p.provinces.length ? p.provinces : ['--'] } };
      case 'unit':
        return { ...live, id: p.unitId ?? -1 };
    }
  },

  activities(p: Principal): FilterQuery<Activity> {
    return { deletedAt: null, unit: ScopePolicy.units(p) } as FilterQuery<Activity>;
  },

  /** Provinces the caller may ask about; null means all. */
  provinces(p: Principal): string[] | null {
    return p.role === 'admin' ? null : p.role === 'supervisor' ? p.provinces : [];
  },
};
