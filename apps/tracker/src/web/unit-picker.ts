import type { Principal } from '@app/auth';
import { t, type Locale } from '@app/reporting/i18n';
import { UnitQuery } from '../units/dto/unit.dto';
import type { UnitView, UnitsService } from '../units/units.service';
import { type FieldErrors, text } from './form-validation';

/** At most this many units are offered when a search matches several. */
export const PICKER_LIMIT = 20;

export interface UnitPick {
  /** The unit the form names, when it names exactly one. */
  unitId?: number;
  /** What the search field shows again. */
  search: string;
  /** Why no unit was taken (no match, or several to choose from), for the unitId field. */
  error?: string;
  /** The matches to choose from when there were several. */
  candidates: UnitView[];
}

/**
 * The unit a form's picker names, looked up on the server so it works without scripts: a unit chosen
 * from the list of matches (unitChoice) wins; then the hidden unitId when the search field still shows
 * that unit's name or credit code (the script fills both); else the search text, taken when exactly
 * one unit in the caller's scope matches it (or one matches it exactly). A form without the search
 * field (unitSearch) keeps its unitId as sent; null then.
 */
export async function pickUnit(
  units: UnitsService,
  p: Principal,
  body: Record<string, unknown>,
  locale: Locale,
): Promise<UnitPick | null> {
  if (typeof body.unitSearch !== 'string') return null;
  const search = body.unitSearch.trim().slice(0, 200);
  const visible = async (raw: string | undefined) =>
    raw && /^\d{1,10}$/.test(raw) ? units.get(p, Number(raw)).catch(() => null) : null;
  const chosen = await visible(text(body, 'unitChoice'));
  if (chosen) return { unitId: chosen.id, search: chosen.name, candidates: [] };
  if (search === '') return { search, candidates: [] };
  const named = await visible(text(body, 'unitId'));
  if (named && (named.name === search || named.creditCode === search.toUpperCase())) {
    return { unitId: named.id, search: named.name, candidates: [] };
  }
  const found = await units.list(
    p,
    Object.assign(new UnitQuery(), { q: search, page: 1, pageSize: PICKER_LIMIT }),
  );
  const exact = found.items.filter((u) => u.name === search || u.creditCode === search.toUpperCase());
  const one = exact.length === 1 ? exact[0] : found.total === 1 ? found.items[0] : null;
  if (one) return { unitId: one.id, search: one.name, candidates: [] };
  if (found.total === 0)
    return { search, error: t(locale, 'picker.unit.noMatch', { q: search }), candidates: [] };
  return {
    search,
    error: t(locale, 'picker.unit.several', { n: found.total, q: search }),
    candidates: found.items,
  };
}

/** The pick written into the form's values shown again: the unit's id and the search text. */
export function showPick(pick: UnitPick, values: Record<string, unknown>): void {
  values.unitId = pick.unitId ? String(pick.unitId) : '';
  values.unitSearch = pick.search;
}

/** A form's check with the picker's refusal (no match, several) added on the unitId field. */
export function withPickError<T>(
  checked: { dto?: T; errors: FieldErrors },
  pick: UnitPick | null,
): { dto?: T; errors: FieldErrors } {
  return pick?.error ? { errors: { ...checked.errors, unitId: pick.error } } : checked;
}
