import { Body, Controller, Get, Param, Post, Query, Req, Res, UseFilters } from '@nestjs/common';
import { ApiExcludeController, IntersectionType, PickType } from '@nestjs/swagger';
import type { Response } from 'express';
import { Allow, CurrentUser, type Principal } from '@app/auth';
import { PROVINCE_CODES, UNIT_STATUSES } from '@app/compliance';
import { Env } from '@app/common';
import { ParseIdPipe } from '../../activities/parse-id.pipe';
import { RuleSetsService } from '../../rule-sets/rule-sets.service';
import { UnitQuery } from '../../units/dto/unit.dto';
import { importMaxBytes } from '../../units/unit-file';
import { type UnitView, UnitsService } from '../../units/units.service';
import { ROLES, UserQuery } from '../../users/dto/user.dto';
import { type UserView, UsersService } from '../../users/users.service';
import { type FieldErrors, submitForm } from '../form-validation';
import { FlashQuery, IsPageNumber, pageCount } from '../forms';
import { type PageRequest, requestLocale } from '../locale';
import { PageErrorFilter } from '../page-error.filter';
import {
  importFieldLabels,
  NEW_UNIT_VALUES,
  toUnitDto,
  unitFormChoices,
  unitFormValues,
  type UnitFormValues,
} from '../unit-form';
import {
  NEW_USER_VALUES,
  toUserDto,
  unitSearchText,
  userFormValues,
  type UserFormValues,
} from '../user-form';
import { ViewsService } from '../views.service';

const PAGE_SIZE = 50;

/** The API's unit filters (UnitQuery) the list offers, with the page's language and flash; fixed page size. */
export class AdminUnitsQuery extends IntersectionType(
  FlashQuery,
  PickType(UnitQuery, ['q', 'province', 'status'] as const),
) {
  @IsPageNumber()
  page?: number;
}

/** The API's user filters (UserQuery) the list offers, with the page's language and flash; fixed page size. */
export class AdminUsersQuery extends IntersectionType(
  FlashQuery,
  PickType(UserQuery, ['q', 'role'] as const),
) {
  @IsPageNumber()
  page?: number;
}

/** What a form shows again: the values as typed and messages per field and on top. */
interface FormState<V> {
  values: V;
  errors: FieldErrors;
  formError: string;
  flash?: string;
}

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
    const page = await this.units.list(p, listQuery(UnitQuery, q));
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
    this.showUnitForm(req, res, null, { values: NEW_UNIT_VALUES, errors: {}, formError: '' });
  }

  @Post('units')
  async createUnit(
    @CurrentUser() p: Principal,
    @Body() body: Record<string, unknown>,
    @Req() req: PageRequest,
    @Res() res: Response,
  ) {
    const locale = requestLocale(req);
    const { values, checked } = toUnitDto(body, 'create', locale);
    await submitForm(
      checked,
      locale,
      async (dto) => {
        const unit = await this.units.create(p, dto);
        res.redirect(303, `/admin/units?done=unitCreated&q=${encodeURIComponent(unit.creditCode)}`);
      },
      (refusal) => this.showUnitForm(req, res, null, { values, ...refusal }, 400),
    );
  }

  @Get('units/:id/edit')
  async editUnit(
    @CurrentUser() p: Principal,
    @Param('id', ParseIdPipe) id: number,
    @Query() q: FlashQuery,
    @Req() req: PageRequest,
    @Res() res: Response,
  ) {
    const unit = await this.units.get(p, id);
    const flash = this.views.flash(req, q.done === 'unitSaved' ? q.done : undefined);
    this.showUnitForm(req, res, unit, { values: unitFormValues(unit), errors: {}, formError: '', flash });
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
    const { values, checked } = toUnitDto(body, 'update', locale);
    await submitForm(
      checked,
      locale,
      async (dto) => {
        await this.units.update(p, id, dto);
        res.redirect(303, `/admin/units/${id}/edit?done=unitSaved`);
      },
      (refusal) => this.showUnitForm(req, res, unit, { values, ...refusal }, 400),
    );
  }

  // ---- users -----------------------------------------------------------------------------------------

  @Get('users')
  async userList(
    @CurrentUser() p: Principal,
    @Query() q: AdminUsersQuery,
    @Req() req: PageRequest,
    @Res() res: Response,
  ) {
    const page = await this.users.list(listQuery(UserQuery, q));
    const unitNames = await this.units.namesOf(
      p,
      page.items.map((u) => u.unitId).filter((x): x is number => x !== null),
    );
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
    await this.showUserForm(p, req, res, null, { values: NEW_USER_VALUES, errors: {}, formError: '' });
  }

  @Post('users')
  async createUser(
    @CurrentUser() p: Principal,
    @Body() body: Record<string, unknown>,
    @Req() req: PageRequest,
    @Res() res: Response,
  ) {
    const locale = requestLocale(req);
    const { checked, values, candidates } = await toUserDto(this.units, p, body, 'create', locale);
    await submitForm(
      checked,
      locale,
      async (dto) => {
        const user = await this.users.create(p, dto);
        res.redirect(303, `/admin/users?done=userCreated&q=${encodeURIComponent(user.email)}`);
      },
      (refusal) => this.showUserForm(p, req, res, null, { values, ...refusal }, 400, candidates),
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
    await this.showUserForm(p, req, res, user, {
      values: userFormValues(user),
      errors: {},
      formError: '',
      flash,
    });
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
    const { checked, values, candidates } = await toUserDto(this.units, p, body, 'update', locale);
    await submitForm(
      checked,
      locale,
      async (dto) => {
        await this.users.update(p, id, dto);
        res.redirect(303, `/admin/users/${id}/edit?done=userSaved`);
      },
      (refusal) => this.showUserForm(p, req, res, user, { values, ...refusal }, 400, candidates),
    );
  }

  private showUnitForm(
    req: PageRequest,
    res: Response,
    unit: UnitView | null,
    { values, errors, formError, flash = '' }: FormState<UnitFormValues>,
    status = 200,
  ) {
    this.views.page(
      req,
      res,
      'admin/unit-form.njk',
      { unit, values, errors, formError, flash, ...unitFormChoices(this.ruleSets, unit) },
      status,
    );
  }

  private async showUserForm(
    p: Principal,
    req: PageRequest,
    res: Response,
    user: UserView | null,
    { values, errors, formError, flash = '' }: FormState<UserFormValues>,
    status = 200,
    unitCandidates: UnitView[] = [],
  ) {
    const unitSearch = await unitSearchText(this.units, p, values);
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
}

/** A list page's filters as the API's query: blank search dropped, fixed page size. */
function listQuery<T extends object>(
  cls: new () => T,
  { q, page, done: _d, lang: _l, ...filters }: { q?: string; page?: number; done?: string; lang?: string },
): T {
  return Object.assign(new cls(), {
    ...filters,
    q: q?.trim() || undefined,
    page: page ?? 1,
    pageSize: PAGE_SIZE,
  });
}
