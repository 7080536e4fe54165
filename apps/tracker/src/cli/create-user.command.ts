import { Command, CommandRunner, Option } from 'nest-commander';
import { MikroORM, RequestContext } from '@mikro-orm/core';
import { UsersService } from '../users/users.service';
import { CreateUserDto } from '../users/dto/user.dto';
import { validateDto } from './validate-dto';

interface Options {
  email: string;
  name: string;
  password: string;
  role: string;
  unit?: number;
  provinces?: string;
  locale?: string;
}

/** npm run cli -- user:create --email a@b.cn --name 张三 --password ... --role supervisor --provinces 44,45 */
@Command({ name: 'user:create', description: 'Create a user (admin, supervisor or unit)' })
export class CreateUserCommand extends CommandRunner {
  constructor(
    private readonly users: UsersService,
    private readonly orm: MikroORM,
  ) {
    super();
  }

  async run(_: string[], o: Options): Promise<void> {
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

  @Option({ flags: '--email <email>', required: true })
  parseEmail(v: string) {
    return v;
  }
  @Option({ flags: '--name <name>', required: true })
  parseName(v: string) {
    return v;
  }
  @Option({ flags: '--password <password>', required: true })
  parsePassword(v: string) {
    return v;
  }
  @Option({ flags: '--role <role>', description: 'admin | supervisor | unit', required: true })
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
}
