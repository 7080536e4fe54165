import type { Principal } from '@app/auth';
import type { Locale } from '@app/reporting/i18n';
import { CreateUserDto, UpdateUserDto } from '../users/dto/user.dto';
import type { UserView } from '../users/users.service';
import type { UnitView, UnitsService } from '../units/units.service';
import { type FieldErrors, list, text, validateForm } from './form-validation';
import { pickUnit, showPick, withPickError } from './unit-picker';

/*
 * The administrator's user form (new or edited): the urlencoded body, with the unit its picker names,
 * becomes the API's CreateUserDto / UpdateUserDto with the API's own rules; a user becomes the form's
 * values again.
 */

export type UserFormValues = Record<string, string | string[] | boolean>;

/** What a new user's form starts with. */
export const NEW_USER_VALUES: UserFormValues = { role: 'unit', locale: 'zh', provinces: [] };

function userPlain(body: Record<string, unknown>, mode: 'create' | 'update') {
  const role = text(body, 'role');
  const provinces = list(body, 'provinces');
  const unitId = text(body, 'unitId');
  const values: UserFormValues = {
    email: text(body, 'email') ?? '',
    name: text(body, 'name') ?? '',
    role: role ?? '',
    unitId: unitId ?? '',
    provinces,
    locale: text(body, 'locale') ?? 'zh',
    active: body.active === 'on',
  };
  const plain: Record<string, unknown> = {
    name: text(body, 'name'),
    role,
    locale: text(body, 'locale'),
    password: text(body, 'password'),
    // Only the scope that goes with the role is sent; the other is cleared by the service.
    unitId: role === 'unit' && unitId ? (/^\d+$/.test(unitId) ? Number(unitId) : unitId) : undefined,
    provinces: role === 'supervisor' ? provinces : undefined,
  };
  if (mode === 'create') plain.email = text(body, 'email');
  else plain.active = body.active === 'on';
  return { plain, values };
}

/** The submitted user form checked: the DTO or messages per field, the values to show again, the unit matches. */
export interface CheckedUserForm<T> {
  checked: { dto?: T; errors: FieldErrors };
  values: UserFormValues;
  /** The units to choose from when the picker's search matched several. */
  candidates: UnitView[];
}

/**
 * The submitted user form as the API's DTO. A unit user's unit comes from the form's picker (see
 * unit-picker.ts); its refusal (no match, several) is shown on the unitId field.
 */
export async function toUserDto(
  units: UnitsService,
  p: Principal,
  body: Record<string, unknown>,
  mode: 'create',
  locale: Locale,
): Promise<CheckedUserForm<CreateUserDto>>;
export async function toUserDto(
  units: UnitsService,
  p: Principal,
  body: Record<string, unknown>,
  mode: 'update',
  locale: Locale,
): Promise<CheckedUserForm<UpdateUserDto>>;
export async function toUserDto(
  units: UnitsService,
  p: Principal,
  body: Record<string, unknown>,
  mode: 'create' | 'update',
  locale: Locale,
): Promise<CheckedUserForm<CreateUserDto | UpdateUserDto>> {
  const { plain, values } = userPlain(body, mode);
  const pick = plain.role === 'unit' ? await pickUnit(units, p, body, locale) : null;
  if (pick) {
    plain.unitId = pick.unitId;
    showPick(pick, values);
  }
  const checked =
    mode === 'create'
      ? validateForm(CreateUserDto, plain, locale)
      : validateForm(UpdateUserDto, plain, locale);
  return {
    checked: withPickError<CreateUserDto | UpdateUserDto>(checked, pick),
    values,
    candidates: pick?.candidates ?? [],
  };
}

/** A stored user as the edit form's values. */
export function userFormValues(u: UserView): UserFormValues {
  return {
    email: u.email,
    name: u.name,
    role: u.role,
    unitId: u.unitId ? String(u.unitId) : '',
    provinces: u.provinces,
    locale: u.locale,
    active: u.active,
  };
}

/**
 * What the picker's search field shows: as typed, or else the chosen unit's name (the picker searches on
 * the server, so only that one name is looked up).
 */
export async function unitSearchText(units: UnitsService, p: Principal, values: UserFormValues) {
  if (typeof values.unitSearch === 'string') return values.unitSearch;
  if (typeof values.unitId !== 'string' || !/^\d+$/.test(values.unitId)) return '';
  return units.get(p, Number(values.unitId)).then(
    (u) => u.name,
    () => '',
  );
}
