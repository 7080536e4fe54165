import { Controller, Get } from '@nestjs/common';
import { ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { RuleSetDto } from './rule-set-view.dto';
import { RuleSetsService } from './rule-sets.service';

@ApiTags('rule-sets')
@Controller('api/v1/rule-sets')
export class RuleSetsController {
  constructor(private readonly ruleSets: RuleSetsService) {}

  /** Every signed-in user may read the rules they are measured by. */
  @Get()
  @ApiOkResponse({ type: [RuleSetDto] })
  list() {
    return this.ruleSets.all();
  }
}
