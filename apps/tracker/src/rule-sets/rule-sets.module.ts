import { Global, Module } from '@nestjs/common';
import { RuleSetsController } from './rule-sets.controller';
import { RuleSetsService } from './rule-sets.service';

@Global()
@Module({ controllers: [RuleSetsController], providers: [RuleSetsService], exports: [RuleSetsService] })
export class RuleSetsModule {}
