import { plainToInstance, Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsString, Matches, Max, Min, validateSync } from 'class-validator';

/** Every setting the service reads from the environment, validated at start-up. */
export class Env {
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(65535)
  PORT = 3000;

  @IsString()
  DATA_DIR = './var';

  /** Unset: SQLite file in DATA_DIR. postgresql://... : PostgreSQL. */
  @IsOptional()
  @Matches(/^(postgres(ql)?:\/\/|sqlite:)/, {
    message: 'DATABASE_URL must start with postgresql:// or sqlite:',
  })
  DATABASE_URL?: string;

  @IsOptional()
  @IsString()
  ADMIN_EMAIL = 'admin@example.gov.cn';

  @IsOptional()
  @IsString()
  ADMIN_PASSWORD?: string;

  /** all: web + scheduler + outbox worker; web: HTTP only; worker: scheduler + outbox only; cli: neither. */
  @IsIn(['all', 'web', 'worker', 'cli'])
  ROLE: 'all' | 'web' | 'worker' | 'cli' = 'all';

  @Type(() => Number)
  @IsInt()
  @Min(1024)
  @Max(1024 * 1024 * 1024)
  UPLOAD_MAX_BYTES = 20 * 1024 * 1024;

  @Type(() => Number)
  @IsInt()
  @Min(60)
  SESSION_TTL_SECONDS = 8 * 3600;

  @IsOptional()
  @IsString()
  SMTP_URL?: string;

  @IsString()
  MAIL_FROM = '标准化示范项目管理平台 <noreply@localhost>';

  @IsOptional()
  @IsString()
  MAIL_REPLY_TO?: string;

  @IsString()
  REPORT_CRON = '0 8 1 * *';

  @IsString()
  REPORT_TZ = 'Asia/Shanghai';

  @IsString()
  PUBLIC_URL = 'http://localhost:3000';

  @IsIn(['fatal', 'error', 'warn', 'log', 'debug', 'verbose'])
  LOG_LEVEL: 'fatal' | 'error' | 'warn' | 'log' | 'debug' | 'verbose' = 'log';
}

export class EnvError extends Error {}

/** Parses process.env-like input; throws naming every bad variable. */
export function validateEnv(raw: Record<string, unknown>): Env {
  const env = plainToInstance(Env, raw, { exposeDefaultValues: true });
  const errors = validateSync(env, { skipMissingProperties: false, forbidUnknownValues: false });
  if (errors.length) {
    const lines = errors.map((e) => `${e.property}: ${Object.values(e.constraints ?? {}).join('; ')}`);
    throw new EnvError(`Invalid configuration:\n  ${lines.join('\n  ')}`);
  }
  return env;
}
