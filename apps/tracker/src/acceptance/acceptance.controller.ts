import { pipeline } from 'node:stream';
import { Controller, Get, Logger, Param, Res } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { Allow, CurrentUser, type Principal } from '@app/auth';
import { ParseIdPipe } from '../activities/parse-id.pipe';
import { ApiFileResponse } from '../common/api-docs';
import { contentDisposition } from '../evidence/evidence-files';
import { AcceptanceService } from './acceptance.service';

@ApiTags('acceptance')
@Controller('api/v1')
export class AcceptanceController {
  private readonly logger = new Logger('AcceptancePack');

  constructor(private readonly acceptance: AcceptanceService) {}

  /**
   * The unit's acceptance pack for its cycle (zip, streamed): 自我评价报告.docx, 工作总结.docx,
   * 证明材料索引.xlsx, every evidence file under 证明材料/ (those of activities not verified under
   * 证明材料/未核实/) and manifest.json with every file's SHA-256. Admins, supervisors in scope, the unit's
   * own users; others get 404.
   */
  @Allow('units:acceptancePack')
  @Get('units/:id/acceptance-pack')
  @ApiFileResponse('application/zip', 'The acceptance pack')
  async pack(@CurrentUser() p: Principal, @Param('id', ParseIdPipe) id: number, @Res() res: Response) {
    const pack = await this.acceptance.pack(p, id);
    res.status(200);
    res.setHeader('Content-Type', 'application/zip');
    res.setHeader('Content-Disposition', contentDisposition('attachment', pack.fileName));
    if (pack.size !== null) res.setHeader('Content-Length', String(pack.size));
    res.setHeader('Cache-Control', 'private, no-store');
    res.setHeader('X-Content-Type-Options', 'nosniff');
    pipeline(pack.stream, res, (error) => {
      if (error) this.logger.warn(`acceptance pack of unit ${id} not completed: ${error.message}`);
    });
  }
}
