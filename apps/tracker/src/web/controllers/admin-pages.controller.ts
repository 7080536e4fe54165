import { Body, Controller, Get, Param, Post, Query, Req, Res, UseFilters } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Response } from 'express';
import { IsIn, IsOptional, IsString, MaxLength } from 'class-validator';
import { Allow, CurrentUser, type Principal } from '@app/auth';
import { PROVINCE_CODES, PROVINCES, UNIT_KINDS, UNIT_STATUSES } from '@app/compliance';
import { Env } from '@app/common';
import { type Locale, t } from '@app/reporting/i18n';
import { ParseIdPipe } from '../../activities/parse-id.pipe';
import { RuleSetsService } from '../../rule-sets/rule-sets.service';
import { CreateUnitDto, DEFAULT_PROGRAM, UnitQuery, UpdateUnitDto } from '../../units/dto/unit.dto';
import { importMaxBytes } from '../../units/unit-file';
import { type UnitView, UnitsService } from '../../units/units.service';
import { CreateUserDto, ROLES, UpdateUserDto, UserQuery } from '../../users/dto/user.dto';
import { type UserView, UsersService } from '../../users/users.service';
import { type FieldErrors, list, submitForm, text, validateForm } from '../form-validation';
import { FlashQuery, IsPageNumber, pageCount } from '../forms';
import { type PageRequest, requestLocale } from '../locale';
import { PageErrorFilter } from '../page-error.filter';
import { type UnitPick, pickUnit } from '../unit-picker';
import { ViewsService } from '../views.service';

const PAGE_SIZE = 50;

export class AdminUnitsQuery extends FlashQuery {
  @IsOptional()
  @IsString()
  @MaxLength(100)
  q?: string;

  @IsOptional()
  @IsIn(PROVINCE_CODES)
  province?: string;

  @IsOptional()
  @IsIn(UNIT_STATUSES)
  status?: (typeof UNIT_STATUSES)[number];

  @IsPageNumber()
  page?: number;
}

export class AdminUsersQuery extends FlashQuery {
  @IsOptional()
  @IsString()
  @MaxLength(100)
  q?: string;

  @IsOptional()
  @IsIn(ROLES)
  role?: (typeof ROLES)[number];

  @IsPageNumber()
  page?: number;
}

type Values = Record<string, string | string[] | boolean>;

/** Administration of units (one by one or from a file) and of users with their scopes. */
@ApiExcludeController()
@UseFilters(PageErrorFilter)
@Allow('admin:pages')
@Controller('admin')
export class AdminPagesController {
  constructor(
    private readonly views: ViewsService,
    private readonly units: UnitsService,
    private readonly users: UsersService,
    private readonly ruleSets: RuleSetsService,
    private readonly env: Env,
  ) {}

  // ---- units -----------------------------------------------------------------------------------------

  @Get('units')
  async unitList(
    @CurrentUser() p: Principal,
    @Query() q: AdminUnitsQuery,
    @Req() req: PageRequest,
    @Res() res: Response,
  ) {
    const page = await this.units.list(
      p,
      Object.assign(new UnitQuery(), {
        q: q.q?.trim() || undefined,
        province: q.province,
        status: q.status,
        page: q.page ?? 1,
        pageSize: PAGE_SIZE,
      }),
    );
    this.views.page(req, res, 'admin/units.njk', {
      page,
      filters: q,
      provinces: PROVINCE_CODES,
      statuses: UNIT_STATUSES,
      pages: pageCount(page.total, PAGE_SIZE),
      flash: this.views.flash(req, q.done),
      maxBytes: importMaxBytes(this.env),
      importFieldLabels: importFieldLabels(requestLocale(req)),
    });
  }

  @Get('units/new')
  newUnit(@Req() req: PageRequest, @Res() res: Response) {
    this.showUnitForm(
      req,
      res,
      null,
      { kind: 'enterprise', status: 'active', program: DEFAULT_PROGRAM },
      {},
      '',
    );
  }

  @Post('units')
  async createUnit(
    @CurrentUser() p: Principal,
    @Body() body: Record<string, unknown>,
    @Req() req: PageRequest,
    @Res() res: Response,
  ) {
    const locale = requestLocale(req);
    const { values, checked } = checkUnitForm(CreateUnitDto, body, locale);
    await submitForm(
      checked,
      locale,
      async (dto) => {
        const unit = await this.units.create(p, dto);
        res.redirect(303, `/admin/units?done=unitCreated&q=${encodeURIComponent(unit.creditCode)}`);
      },
      ({ errors, formError }) => this.showUnitForm(req, res, null, values, errors, formError, 400),
    );
  }

  @Get('units/:id/edit')
  async editUnit(
    @CurrentUser() p: Principal,
    @Param('id', ParseIdPipe) id: number,
    @Req() req: PageRequest,
    @Res() res: Response,
  ) {
    const unit = await this.units.get(p, id);
    this.showUnitForm(req, res, unit, unitValues(unit), {}, '');
  }

  @Post('units/:id')
  async updateUnit(
    @CurrentUser() p: Principal,
    @Param('id', ParseIdPipe) id: number,
    @Body() body: Record<string, unknown>,
    @Req() req: PageRequest,
    @Res() res: Response,
  ) {
    const locale = requestLocale(req);
    const unit = await this.units.get(p, id);
    const { values, checked } = checkUnitForm(UpdateUnitDto, body, locale);
    await submitForm(
      checked,
      locale,
      async (dto) => {
        await this.units.update(p, id, dto);
        res.redirect(303, `/admin/units/${id}/edit?done=unitSaved`);
      },
      ({ errors, formError }) => this.showUnitForm(req, res, unit, values, errors, formError, 400),
    );
  }

  // ---- users -----------------------------------------------------------------------------------------

  @Get('users')
  async userList(@Query() q: AdminUsersQuery, @Req() req: PageRequest, @Res() res: Response) {
    const page = await this.users.list(
      Object.assign(new UserQuery(), {
        q: q.q?.trim() || undefined,
        role: q.role,
        page: q.page ?? 1,
        pageSize: PAGE_SIZE,
      }),
    );
    const unitNames = await this.unitNames(req.principal!, page.items);
    this.views.page(req, res, 'admin/users.njk', {
      page,
      filters: q,
      roles: ROLES,
      unitNames,
      pages: pageCount(page.total, PAGE_SIZE),
      flash: this.views.flash(req, q.done),
    });
  }

  @Get('users/new')
  async newUser(@CurrentUser() p: Principal, @Req() req: PageRequest, @Res() res: Response) {
    await this.showUserForm(p, req, res, null, { role: 'unit', locale: 'zh', provinces: [] }, {}, '');
  }

  @Post('users')
  async createUser(
    @CurrentUser() p: Principal,
    @Body() body: Record<string, unknown>,
    @Req() req: PageRequest,
    @Res() res: Response,
  ) {
    const locale = requestLocale(req);
    const { plain, values } = userPlain(body, 'create');
    const pick = await this.pickUnit(p, body, plain, values, locale);
    await submitForm(
      withPick(validateForm(CreateUserDto, plain, locale), pick),
      locale,
      async (dto) => {
        const user = await this.users.create(p, dto);
        res.redirect(303, `/admin/users?done=userCreated&q=${encodeURIComponent(user.email)}`);
      },
      ({ errors, formError }) =>
        this.showUserForm(p, req, res, null, values, errors, formError, 400, '', pick?.candidates),
    );
  }

  @Get('users/:id/edit')
  async editUser(
    @CurrentUser() p: Principal,
    @Param('id', ParseIdPipe) id: number,
    @Query() q: FlashQuery,
    @Req() req: PageRequest,
    @Res() res: Response,
  ) {
    const user = await this.users.get(id);
    const flash = this.views.flash(req, q.done);
    await this.showUserForm(p, req, res, user, userValues(user), {}, '', 200, flash);
  }

  @Post('users/:id')
  async updateUser(
    @CurrentUser() p: Principal,
    @Param('id', ParseIdPipe) id: number,
    @Body() body: Record<string, unknown>,
    @Req() req: PageRequest,
    @Res() res: Response,
  ) {
    const locale = requestLocale(req);
    const user = await this.users.get(id);
    const { plain, values } = userPlain(body, 'update');
    const pick = await this.pickUnit(p, body, plain, values, locale);
    await submitForm(
      withPick(validateForm(UpdateUserDto, plain, locale), pick),
      locale,
      async (dto) => {
        await this.users.update(p, id, dto);
        res.redirect(303, `/admin/users/${id}/edit?done=userSaved`);
      },
      ({ errors, formError }) =>
        this.showUserForm(p, req, res, user, values, errors, formError, 400, '', pick?.candidates),
    );
  }

  private showUnitForm(
    req: PageRequest,
    res: Response,
    unit: UnitView | null,
    values: Values,
    errors: FieldErrors,
    formError: string,
    status = 200,
  ) {
    const q = req.query as Record<string, unknown>;
    const flash =
      typeof q.done === 'string' && q.done === 'unitSaved'
        ? this.views.context(req).t('web.flash.unitSaved')
        : '';
    this.views.page(
      req,
      res,
      'admin/unit-form.njk',
      {
        unit,
        values,
        errors,
        formError,
        flash,
        provinces: PROVINCES.map((x) => x.code),
        kinds: UNIT_KINDS,
        statuses: UNIT_STATUSES,
        programs: [...new Map(this.ruleSets.all().map((r) => [r.program, r])).values()],
        versions: unit ? this.ruleSets.all().filter((r) => r.program === unit.program) : [],
      },
      status,
    );
  }

  private async showUserForm(
    p: Principal,
    req: PageRequest,
    res: Response,
    user: UserView | null,
    values: Values,
    errors: FieldErrors,
    formError: string,
    status = 200,
    flash = '',
    unitCandidates: UnitView[] = [],
  ) {
    // The unit picker searches on the server: only the chosen unit's name is needed here.
    let unitSearch = typeof values.unitSearch === 'string' ? values.unitSearch : '';
    if (values.unitSearch === undefined && typeof values.unitId === 'string' && /^\d+$/.test(values.unitId)) {
      unitSearch = await this.units.get(p, Number(values.unitId)).then(
        (u) => u.name,
        () => '',
      );
    }
    this.views.page(
      req,
      res,
      'admin/user-form.njk',
      {
        user,
        values,
        errors,
        formError,
        flash,
        roles: ROLES,
        unitSearch,
        unitCandidates,
        provinces: PROVINCE_CODES,
      },
      status,
    );
  }

  /** A unit user's unit from the form's picker (see unit-picker.ts), written into plain and values. */
  private async pickUnit(
    p: Principal,
    body: Record<string, unknown>,
    plain: Record<string, unknown>,
    values: Values,
    locale: Locale,
  ): Promise<UnitPick | null> {
    if (plain.role !== 'unit') return null;
    const pick = await pickUnit(this.units, p, body, locale);
    if (!pick) return null;
    plain.unitId = pick.unitId;
    values.unitId = pick.unitId ? String(pick.unitId) : '';
    values.unitSearch = pick.search;
    return pick;
  }

  private unitNames(p: Principal, users: UserView[]): Promise<Record<number, string>> {
    return this.units.namesOf(
      p,
      users.map((u) => u.unitId).filter((x): x is number => x !== null),
    );
  }
}

/** A form's check with the unit picker's refusal added on the unitId field. */
function withPick<T>(checked: { dto?: T; errors: FieldErrors }, pick: UnitPick | null) {
  if (!pick?.error) return checked;
  return { errors: { ...checked.errors, unitId: pick.error } };
}

/** The import report's field names in the page's language (contacts.N.name/email take {n}). */
const IMPORT_FIELDS = [
  'row',
  'file',
  'name',
  'creditCode',
  'province',
  'industry',
  'kind',
  'program',
  'ruleSetVersion',
  'cycleStart',
  'cycleEnd',
  'status',
  'contacts',
  'contactName',
  'contactEmail',
  'contactNameN',
  'contactEmailN',
];
function importFieldLabels(locale: Locale): Record<string, string> {
  return Object.fromEntries(IMPORT_FIELDS.map((f) => [f, t(locale, `code.unitField.${f}`)]));
}

/** "张三 <zhangsan@example.cn>", "张三, zhangsan@example.cn" or "张三 zhangsan@example.cn", one per line. */
export function parseContacts(textValue: string): {
  contacts: { name: string; email: string }[];
  bad: string[];
} {
  const contacts: { name: string; email: string }[] = [];
  const bad: string[] = [];
  for (const line of textValue
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter(Boolean)) {
    const m = /^(.*?)[\s,，;；]*<?([^\s<>,，;；]+@[^\s<>,，;；]+?)>?$/.exec(line);
    if (m && m[1].trim()) contacts.push({ name: m[1].trim(), email: m[2] });
    else bad.push(line);
  }
  return { contacts, bad };
}

/** The unit form's text fields; the contacts, one per line, are parsed separately. */
const UNIT_TEXT_FIELDS = [
  'name',
  'creditCode',
  'province',
  'industry',
  'kind',
  'program',
  'cycleStart',
  'cycleEnd',
  'status',
] as const;

function unitPlain(body: Record<string, unknown>, locale: Locale) {
  const values: Values = {};
  for (const k of [...UNIT_TEXT_FIELDS, 'contacts']) {
    const v = body[k];
    if (typeof v === 'string') values[k] = v;
  }
  const plain: Record<string, unknown> = {};
  for (const k of UNIT_TEXT_FIELDS) plain[k] = text(body, k);
  // Only the edit form offers the rule-set version (a new unit takes its program's latest).
  if (typeof body.ruleSetVersion === 'string' && body.ruleSetVersion !== '') {
    values.ruleSetVersion = body.ruleSetVersion;
    plain.ruleSetVersion = /^\d+$/.test(body.ruleSetVersion)
      ? Number(body.ruleSetVersion)
      : body.ruleSetVersion;
  }
  const errors: FieldErrors = {};
  const { contacts, bad } = parseContacts(typeof body.contacts === 'string' ? body.contacts : '');
  plain.contacts = contacts;
  if (bad.length) {
    errors.contacts =
      locale === 'en'
        ? `Write each contact as "name <e-mail>": ${bad.join('; ')}`
        : `联系人请按“姓名 <邮箱>”填写：${bad.join('；')}`;
  }
  return { plain, values, errors };
}

/** The unit form checked against `cls`; the contacts are parsed here, and their errors refuse it too. */
function checkUnitForm<T extends object>(cls: new () => T, body: Record<string, unknown>, locale: Locale) {
  const { plain, values, errors: parseErrors } = unitPlain(body, locale);
  const { dto, errors } = validateForm(cls, plain, locale);
  const checked =
    dto && !Object.keys(parseErrors).length ? { dto, errors } : { errors: { ...errors, ...parseErrors } };
  return { values, checked };
}

function unitValues(u: UnitView): Values {
  return {
    name: u.name,
    creditCode: u.creditCode,
    province: u.province,
    industry: u.industry,
    kind: u.kind,
    program: u.program,
    ruleSetVersion: String(u.ruleSetVersion),
    cycleStart: u.cycleStart,
    cycleEnd: u.cycleEnd,
    status: u.status,
    contacts: u.contacts.map((c) => `${c.name} <${c.email}>`).join('\n'),
  };
}

function userPlain(body: Record<string, unknown>, mode: 'create' | 'update') {
  const role = text(body, 'role');
  const provinces = list(body, 'provinces');
  const unitId = text(body, 'unitId');
  const values: Values = {
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

function userValues(u: UserView): Values {
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
