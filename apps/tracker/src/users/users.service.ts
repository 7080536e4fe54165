import { Injectable } from '@nestjs/common';
import { EntityManager, type FilterQuery } from '@mikro-orm/core';
import { ConflictError, InvalidInputError, NotFoundError } from '@app/common';
import { Unit, User } from '@app/db';
import { assertPasswordStrength, hashPassword, type Principal, SessionsService } from '@app/auth';
import { AuditService } from '../audit/audit.service';
import { type Page, pageOptions } from '../common/pagination';
import { CreateUserDto, UpdateUserDto, UserQuery } from './dto/user.dto';

export type UserView = ReturnType<typeof UsersService.view>;

@Injectable()
export class UsersService {
  constructor(
    private readonly em: EntityManager,
    private readonly audit: AuditService,
    private readonly sessions: SessionsService,
  ) {}

  static view(u: User) {
    return {
      id: u.id,
      email: u.email,
      name: u.name,
      role: u.role,
      unitId: u.unit?.id ?? null,
      provinces: u.provinces,
      locale: u.locale,
      active: u.active,
      lastLoginAt: u.lastLoginAt ?? null,
      createdAt: u.createdAt,
    };
  }

  async list(q: UserQuery): Promise<Page<UserView>> {
    const where: FilterQuery<User> = {};
    if (q.role) where.role = q.role;
    if (q.unitId) where.unit = q.unitId;
    if (q.q) where.$or = [{ email: { $like: `%${q.q}%` } }, { name: { $like: `%${q.q}%` } }];
    const [items, total] = await this.em.findAndCount(User, where, {
      ...pageOptions(q),
      orderBy: { id: 'asc' },
    });
    return { items: items.map(UsersService.view), total, page: q.page, pageSize: q.pageSize };
  }

  async get(id: number): Promise<UserView> {
    const u = await this.em.findOne(User, id);
    if (!u) throw new NotFoundError(`user ${id}`);
    return UsersService.view(u);
  }

  /** Used by the API, the pages, the CLI and the first-admin bootstrap alike (one password rule). */
  async create(actor: Principal | null, dto: CreateUserDto): Promise<UserView> {
    const email = dto.email.trim().toLowerCase();
    if (await this.em.count(User, { email })) {
      throw new ConflictError(`电子邮箱已被使用：${email}`, `E-mail already in use: ${email}`, {
        field: 'email',
      });
    }
    assertPasswordStrength(dto.password, { email, name: dto.name });
    const unit = await this.checkRoleScope(dto.role, dto.unitId, dto.provinces);
    const user = this.em.create(User, {
      email,
      name: dto.name,
      passwordHash: await hashPassword(dto.password),
      role: dto.role,
      unit,
      provinces: dto.role === 'supervisor' ? [...new Set(dto.provinces)] : [],
      locale: dto.locale ?? 'zh',
      active: true,
    });
    await this.em.flush();
    this.audit.record(actor, 'create', 'user', user.id, {
      email,
      role: dto.role,
      unitId: unit?.id ?? null,
      provinces: user.provinces,
    });
    await this.em.flush();
    return UsersService.view(user);
  }

  async update(actor: Principal | null, id: number, dto: UpdateUserDto): Promise<UserView> {
    const user = await this.em.findOne(User, id);
    if (!user) throw new NotFoundError(`user ${id}`);
    if (dto.password)
      assertPasswordStrength(dto.password, { email: user.email, name: dto.name ?? user.name });
    const role = dto.role ?? user.role;
    const unit = await this.checkRoleScope(
      role,
      dto.unitId ?? user.unit?.id,
      dto.provinces ?? user.provinces,
    );
    const before = UsersService.view(user);
    const rightsBefore = rightsOf(user);
    if (dto.name !== undefined) user.name = dto.name;
    if (dto.locale !== undefined) user.locale = dto.locale;
    if (dto.active !== undefined) user.active = dto.active;
    user.role = role;
    user.unit = unit;
    user.provinces = role === 'supervisor' ? [...new Set(dto.provinces ?? user.provinces)] : [];
    if (dto.password) user.passwordHash = await hashPassword(dto.password);
    const changes: Record<string, unknown> = AuditService.diff(before, UsersService.view(user));
    if (dto.password) changes.password = 'changed';
    this.audit.record(actor, 'update', 'user', id, changes);
    await this.em.flush();
    // A changed password, role or scope must not leave old sessions with old rights; a rename (or the
    // same role and scope sent again, as the edit form does) leaves them be.
    if (dto.password || dto.active === false || rightsOf(user) !== rightsBefore) {
      await this.sessions.endAll(id);
    }
    return UsersService.view(user);
  }

  private async checkRoleScope(role: User['role'], unitId?: number, provinces?: string[]) {
    if (role === 'unit') {
      if (!unitId)
        throw new InvalidInputError(
          'unitId',
          'required',
          '单位用户必须指定单位',
          'unitId is required for role unit',
        );
      const unit = await this.em.findOne(Unit, { id: unitId, deletedAt: null });
      if (!unit)
        throw new InvalidInputError('unitId', 'exists', `单位不存在：${unitId}`, `No such unit: ${unitId}`);
      return unit;
    }
    if (role === 'supervisor' && !provinces?.length) {
      throw new InvalidInputError(
        'provinces',
        'required',
        '监管用户必须指定省份',
        'provinces is required for role supervisor',
      );
    }
    return null;
  }
}

/** Role and scope of a user, comparable as one string. */
function rightsOf(user: User): string {
  return [user.role, user.unit?.id ?? '', [...user.provinces].sort().join(',')].join('|');
}
