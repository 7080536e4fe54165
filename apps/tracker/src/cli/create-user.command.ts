import { Command, CommandRunner, Option } from 'nest-commander';
import { MikroORM, RequestContext } from '@mikro-orm/core';
import { InvalidInputError } from '@app/common';
import { User } from '@app/db';
import { UsersService } from '../users/users.service';
import { CreateUserDto, UpdateUserDto } from '../users/dto/user.dto';
import { validateDto } from './validate-dto';

interface Options {
  email: string;
  name?: string;
  password: string;
  role?: string;
  resetPassword?: boolean;
  unit?: number;
  provinces?: string;
  locale?: string;
}

/**
 * npm run cli -- user:create --email a@b.cn --name 张三 --password ... --role supervisor --provinces 44,45
 * npm run cli -- user:create --email a@b.cn --password ... --reset-password   (a lost password, e.g. the
 * first administrator's: the same password rule, every session of the user ends)
 */
@Command({
  name: 'user:create',
  description:
    'Create a user (admin, supervisor or unit), or set the password of an existing one (--reset-password)',
})
export class CreateUserCommand extends CommandRunner {
  constructor(
    private readonly users: UsersService,
    private readonly orm: MikroORM,
  ) {
    super();
  }

  async run(_: string[], o: Options): Promise<void> {
    if (o.resetPassword) return this.resetPassword(o);
    for (const [field, value] of [
      ['name', o.name],
      ['role', o.role],
    ] as const) {
      if (!value) {
        throw new InvalidInputError(field, 'required', `缺少 --${field}`, `--${field} is required`);
      }
    }
    const dto = validateDto(CreateUserDto, {
      email: o.email,
      name: o.name,
      password: o.password,
      role: o.role,
      unitId: o.unit,
      provinces: o.provinces?.split(',').map((s) => s.trim()),
      locale: o.locale,
    });
    const user = await RequestContext.create(this.orm.em, () => this.users.create(null, dto));
    process.stdout.write(`Created ${user.role} ${user.email} (id ${user.id})\n`);
  }

  private async resetPassword(o: Options): Promise<void> {
    const dto = validateDto(UpdateUserDto, { password: o.password });
    const email = o.email.trim().toLowerCase();
    const user = await RequestContext.create(this.orm.em, async () => {
      const found = await this.orm.em.findOne(User, { email });
      if (!found) {
        throw new InvalidInputError(
          'email',
          'exists',
          `没有此邮箱的用户：${email}`,
          `No user with e-mail ${email}`,
        );
      }
      return this.users.update(null, found.id, dto);
    });
    process.stdout.write(
      `Password of ${user.role} ${user.email} (id ${user.id}) set; their sessions have ended\n`,
    );
  }

  @Option({ flags: '--email <email>', required: true })
  parseEmail(v: string) {
    return v;
  }
  @Option({ flags: '--name <name>', description: 'required unless --reset-password' })
  parseName(v: string) {
    return v;
  }
  @Option({ flags: '--password <password>', required: true })
  parsePassword(v: string) {
    return v;
  }
  @Option({
    flags: '--role <role>',
    description: 'admin | supervisor | unit; required unless --reset-password',
  })
  parseRole(v: string) {
    return v;
  }
  @Option({ flags: '--unit <id>', description: 'unit id, for role unit' })
  parseUnit(v: string) {
    return Number(v);
  }
  @Option({ flags: '--provinces <codes>', description: 'comma-separated province codes, for supervisors' })
  parseProvinces(v: string) {
    return v;
  }
  @Option({ flags: '--locale <zh|en>' })
  parseLocale(v: string) {
    return v;
  }
  @Option({
    flags: '--reset-password',
    description: 'set the password of the existing user with this e-mail instead of creating one',
  })
  parseResetPassword() {
    return true;
  }
}
