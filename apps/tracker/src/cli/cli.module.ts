import { DynamicModule, Module } from '@nestjs/common';
import { AppModule } from '../app.module';
import { UsersModule } from '../users/users.module';
import { CreateUserCommand } from './create-user.command';

/** The application without HTTP or schedules, plus the commands. Add each command to `providers` and the feature module it uses to `imports`. */
@Module({})
export class CliModule {
  static forRoot(): DynamicModule {
    return {
      module: CliModule,
      imports: [AppModule.forRoot({ ROLE: 'cli' }), UsersModule],
      providers: [CreateUserCommand],
    };
  }
}
