import { DynamicModule, Module } from '@nestjs/common';
import { AppModule } from '../app.module';
import { UsersModule } from '../users/users.module';
import { CreateUserCommand } from './create-user.command';
import { UnitsModule } from '../units/units.module';
import { ImportUnitsCommand } from './import-units.command';
import { DemoModule } from '../demo/demo.module';
import { DemoSeedCommand } from './demo-seed.command';
import { ReportsModule } from '../reports/reports.module';
import { ReportsRunCommand } from '../reports/reports-run.command';
import { ComplianceRebuildCommand } from './compliance-rebuild.command';
import { IntegrityRebuildCommand } from './integrity-rebuild.command';
import { PeriodsModule } from '../periods/periods.module';
import { PeriodsCloseCommand } from '../periods/periods-close.command';
import { AuditVerifyCommand } from './audit-verify.command';

/** The application without HTTP or schedules, plus the commands. Add each command to `providers` and the feature module it uses to `imports`. */
@Module({})
export class CliModule {
  static forRoot(): DynamicModule {
    return {
      module: CliModule,
      imports: [
        AppModule.forRoot({ ROLE: 'cli' }),
        UsersModule,
        DemoModule,
        UnitsModule,
        ReportsModule,
        PeriodsModule,
      ],
      providers: [
        CreateUserCommand,
        DemoSeedCommand,
        ImportUnitsCommand,
        ReportsRunCommand,
        ComplianceRebuildCommand,
        IntegrityRebuildCommand,
        PeriodsCloseCommand,
        AuditVerifyCommand,
      ],
    };
  }
}
