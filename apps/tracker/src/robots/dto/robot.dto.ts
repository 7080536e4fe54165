import { IsIn, IsInt, IsOptional, IsString, MaxLength, Min, MinLength } from 'class-validator';
import { PROVINCE_CODES, type ProvinceCode } from '@app/compliance';
import { ROBOT_KINDS, type RobotKind } from '@app/db';
import type { RobotView } from '../robots.service';

/** A robot to add: for one province or one unit (exactly one of the two). */
export class CreateRobotDto {
  @IsIn(ROBOT_KINDS)
  kind: RobotKind;

  @IsString()
  @MinLength(1)
  @MaxLength(100)
  name: string;

  /** Two-digit province code: the province's digests go to this robot. */
  @IsOptional()
  @IsIn(PROVINCE_CODES)
  province?: ProvinceCode;

  /** The unit whose reports go to this robot. */
  @IsOptional()
  @IsInt()
  @Min(1)
  unitId?: number;

  /**
   * WeCom: https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=…;
   * DingTalk: https://oapi.dingtalk.com/robot/send?access_token=….
   */
  @IsString()
  @MaxLength(1000)
  webhookUrl: string;

  /** DingTalk's signing secret (SEC…), when the robot signs. */
  @IsOptional()
  @IsString()
  @MaxLength(200)
  secret?: string;
}

/** A robot as shown: its webhook and secret masked. */
export class RobotViewDto implements RobotView {
  id: number;
  kind: RobotKind;
  name: string;
  province: string | null;
  unitId: number | null;
  /** Host, path and the start of the key or token only. */
  webhook: string;
  /** The start of the signing secret (SEC…), or null when none is set. */
  secret: string | null;
  createdAt: Date;
}
