import { plainToInstance, Transform, Type } from 'class-transformer';
import {
  IsBoolean,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  Matches,
  Max,
  MaxLength,
  Min,
  MinLength,
  Validate,
  ValidatorConstraint,
  type ValidatorConstraintInterface,
  validateSync,
} from 'class-validator';
import { isIP } from 'node:net';
import { CronTime } from 'cron';

@ValidatorConstraint({ name: 'isCronExpression' })
class IsCronExpression implements ValidatorConstraintInterface {
  validate(value: unknown) {
    return typeof value === 'string' && CronTime.validateCronExpression(value).valid;
  }
  defaultMessage() {
    return 'must be a cron expression such as "0 8 1 * *"';
  }
}

@ValidatorConstraint({ name: 'isTimeZone' })
class IsTimeZone implements ValidatorConstraintInterface {
  validate(value: unknown) {
    try {
      return typeof value === 'string' && !!new Intl.DateTimeFormat('en', { timeZone: value });
    } catch {
      return false;
    }
  }
  defaultMessage() {
    return 'must be an IANA time zone such as Asia/Shanghai';
  }
}

const PROXY_NAMES = ['loopback', 'linklocal', 'uniquelocal'];

/** One entry of a TRUST_PROXY list: a name Express knows, an address, or a subnet (CIDR or netmask). */
function isProxyEntry(entry: string): boolean {
  if (PROXY_NAMES.includes(entry)) return true;
  const [ip, range, ...rest] = entry.split('/');
  if (rest.length || !isIP(ip)) return false;
  if (range === undefined) return true;
  if (/^\d{1,3}$/.test(range)) return Number(range) <= (isIP(ip) === 4 ? 32 : 128);
  return isIP(ip) === 4 && isIP(range) === 4;
}

/**
 * Express's `trust proxy` from TRUST_PROXY: off (false, X-Forwarded-For ignored, req.ip is the socket's
 * peer); `true` (any proxy: only behind one that overwrites the header); a number of proxy hops; or
 * addresses, subnets and loopback/linklocal/uniquelocal separated by commas. Undefined when invalid.
 */
export function trustProxySetting(value: string): boolean | number | string[] | undefined {
  const v = value.trim().toLowerCase();
  if (['', 'false', 'off', 'no', '0'].includes(v)) return false;
  if (v === 'true') return true;
  if (/^\d+$/.test(v)) return Number(v) <= 100 ? Number(v) : undefined;
  const entries = v.split(',').map((e) => e.trim());
  return entries.every(isProxyEntry) ? entries : undefined;
}

@ValidatorConstraint({ name: 'isTrustProxy' })
class IsTrustProxy implements ValidatorConstraintInterface {
  validate(value: unknown) {
    return typeof value === 'string' && trustProxySetting(value) !== undefined;
  }
  defaultMessage() {
    return 'must be false, true, a number of proxy hops, or addresses/subnets (or loopback, linklocal, uniquelocal) separated by commas';
  }
}

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

  /** Unset: config/ of the installation. A folder with requirement-kinds.json and rule-sets/. */
  @IsOptional()
  @IsString()
  CONFIG_DIR?: string;

  /** Unset: SQLite file in DATA_DIR. postgresql://... : PostgreSQL. */
  @IsOptional()
  @Matches(/^(postgres(ql)?:\/\/|sqlite:)/, {
    message: 'DATABASE_URL must start with postgresql:// or sqlite:',
  })
  DATABASE_URL?: string;

  /** PostgreSQL: connections per instance (pool min and max). */
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(1000)
  DATABASE_POOL_SIZE = 10;

  /** PostgreSQL: longest wait for a free connection; after it the request is answered 503 with Retry-After. */
  @Type(() => Number)
  @IsInt()
  @Min(100)
  @Max(600_000)
  DATABASE_POOL_TIMEOUT_MS = 5000;

  /** Requests one instance runs at once; later ones wait their turn (see admission.ts). */
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(10_000)
  MAX_ACTIVE_REQUESTS = 32;

  /** Requests allowed to wait for a turn; beyond them the answer is 503 with Retry-After. */
  @Type(() => Number)
  @IsInt()
  @Min(0)
  @Max(1_000_000)
  MAX_QUEUED_REQUESTS = 2000;

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
  @Validate(IsCronExpression)
  REPORT_CRON = '0 8 1 * *';

  @IsString()
  @Validate(IsTimeZone)
  REPORT_TZ = 'Asia/Shanghai';

  /** false: this instance never runs the monthly job nor catches it up (the outbox worker still runs per ROLE). */
  @Transform(({ value }) => (typeof value === 'string' ? value.trim().toLowerCase() !== 'false' : value))
  @IsBoolean()
  REPORTS_ENABLED = true;

  /** true: administrators also get the digest of every province. */
  @Transform(({ value }) => (typeof value === 'string' ? value.trim().toLowerCase() === 'true' : value))
  @IsBoolean()
  REPORT_ADMIN_DIGEST = false;

  /** Attempts per mail before it is marked failed (transient errors only; permanent ones fail at once). */
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(100)
  MAIL_MAX_ATTEMPTS = 8;

  /** Wait before the 2nd attempt; doubles each time (capped at 6 hours). */
  @Type(() => Number)
  @IsInt()
  @Min(0)
  @Max(86400)
  MAIL_RETRY_BASE_SECONDS = 60;

  /** How often the outbox worker looks for due mails. */
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(3600)
  MAIL_POLL_SECONDS = 15;

  /** How long a claimed mail stays reserved; a worker that dies leaves it to others after this. */
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(86400)
  MAIL_LEASE_SECONDS = 600;

  /** Group robots: the window their limit of 20 messages counts over (the platforms' is a minute). */
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(3600)
  ROBOT_RATE_WINDOW_SECONDS = 60;

  /**
   * Group robots: hosts (host:port, comma-separated) accepted in webhook URLs besides the platforms' own,
   * over http too. For tests against a local server; leave unset in production.
   */
  @IsString()
  ROBOT_ALLOWED_HOSTS = '';

  /** The address users reach the service at: links in mails, secure cookies on https. Unset: http://localhost:PORT. */
  @IsOptional()
  @Matches(/^https?:\/\/[^\s/]+/, { message: 'PUBLIC_URL must be an http:// or https:// address' })
  PUBLIC_URL!: string;

  /** Which proxies' X-Forwarded-For to believe for the client address (sign-in throttle, audit log); see trustProxySetting. */
  @IsString()
  @Validate(IsTrustProxy)
  TRUST_PROXY = 'false';

  @IsIn(['fatal', 'error', 'warn', 'log', 'debug', 'verbose'])
  LOG_LEVEL: 'fatal' | 'error' | 'warn' | 'log' | 'debug' | 'verbose' = 'log';

  /** Set: GET /metrics requires `Authorization: Bearer <token>`. Unset: /metrics is open. */
  @IsOptional()
  @IsString()
  @MinLength(16, { message: 'METRICS_TOKEN must be at least 16 characters' })
  METRICS_TOKEN?: string;

  /**
   * Single sign-on through OpenID Connect: the issuer's address (its discovery document is read from
   * `<issuer>/.well-known/openid-configuration`). Set together with OIDC_CLIENT_ID and OIDC_CLIENT_SECRET,
   * or leave all three unset.
   */
  @IsOptional()
  @Matches(/^https?:\/\/[^\s/]+/, { message: 'OIDC_ISSUER must be an http:// or https:// address' })
  OIDC_ISSUER?: string;

  @IsOptional()
  @IsString()
  @MinLength(1)
  OIDC_CLIENT_ID?: string;

  @IsOptional()
  @IsString()
  @MinLength(1)
  OIDC_CLIENT_SECRET?: string;

  /** The claim of the ID token (or userinfo) holding the e-mail address users are matched by. */
  @IsString()
  @Matches(/^[\w.:-]{1,100}$/, { message: 'OIDC_EMAIL_CLAIM must be a claim name such as email' })
  OIDC_EMAIL_CLAIM = 'email';

  /** The name on the sign-in page's button ("Sign in with <label>"). Unset: "single sign-on". */
  @IsOptional()
  @IsString()
  @MaxLength(60)
  OIDC_LABEL?: string;
}

/** The OIDC variables that must be set together. */
export const OIDC_REQUIRED = ['OIDC_ISSUER', 'OIDC_CLIENT_ID', 'OIDC_CLIENT_SECRET'] as const;

/** Whether single sign-on is configured (validateEnv ensures all of OIDC_REQUIRED or none). */
export function oidcEnabled(env: Env): boolean {
  return OIDC_REQUIRED.every((k) => !!env[k]);
}

export class EnvError extends Error {}

/** Parses process.env-like input; throws naming every bad variable. */
export function validateEnv(raw: Record<string, unknown>): Env {
  const env = plainToInstance(Env, raw, { exposeDefaultValues: true });
  const errors = validateSync(env, { skipMissingProperties: false, forbidUnknownValues: false });
  const lines = errors.map((e) => `${e.property}: ${Object.values(e.constraints ?? {}).join('; ')}`);
  const oidcSet = OIDC_REQUIRED.filter((k) => !!env[k]);
  if (oidcSet.length && oidcSet.length < OIDC_REQUIRED.length) {
    for (const k of OIDC_REQUIRED.filter((k) => !env[k])) {
      lines.push(
        `${k}: must be set with ${oidcSet.join(', ')} (single sign-on needs all of ${OIDC_REQUIRED.join(', ')}, or none)`,
      );
    }
  }
  if (lines.length) {
    throw new EnvError(`Invalid configuration:\n  ${lines.join('\n  ')}`);
  }
  env.PUBLIC_URL ||= `http://localhost:${env.PORT}`;
  return env;
}
