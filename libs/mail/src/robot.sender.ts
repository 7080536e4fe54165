import { createHmac } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import type { Robot, RobotKind } from '@app/db';
import type { SendFailure } from './retry-policy';

/** The documented webhook of each kind: host, path and the query parameter carrying the robot's key. */
export const ROBOT_WEBHOOKS: Record<RobotKind, { host: string; path: string; param: string }> = {
  wecom: { host: 'qyapi.weixin.qq.com', path: '/cgi-bin/webhook/send', param: 'key' },
  dingtalk: { host: 'oapi.dingtalk.com', path: '/robot/send', param: 'access_token' },
};

/** Messages a robot accepts per minute (both platforms document 20). */
export const ROBOT_MESSAGES_PER_MINUTE = 20;
/** WeCom's markdown content limit, in UTF-8 bytes (DingTalk's is larger). */
export const ROBOT_MARKDOWN_MAX_BYTES = 4096;

/** Rate-limit answers: WeCom 45009, DingTalk 130101 (too many) and 660026 (over the daily quota). */
const RATE_LIMITED = new Set([45009, 130101, 660026]);
const TIMEOUT_MS = 10_000;

/**
 * Why `url` is not a webhook of `kind`, or null when it is: https on the platform's host and path with
 * its key parameter. `allowedHosts` (ROBOT_ALLOWED_HOSTS, for tests) adds hosts (host:port) that may
 * stand in for the platform's, over http too.
 */
export function webhookProblem(kind: RobotKind, url: string, allowedHosts: readonly string[]): string | null {
  const spec = ROBOT_WEBHOOKS[kind];
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return 'is not a URL';
  }
  const standIn = allowedHosts.includes(u.host);
  if (!standIn && (u.protocol !== 'https:' || u.host !== spec.host))
    return `must start with https://${spec.host}`;
  if (standIn && u.protocol !== 'https:' && u.protocol !== 'http:') return 'must be an http(s) URL';
  if (u.pathname !== spec.path) return `must have the path ${spec.path}`;
  if (!/^[\w-]{8,200}$/.test(u.searchParams.get(spec.param) ?? '')) return `must carry its ${spec.param}`;
  if (u.username || u.password || u.hash) return 'must not carry credentials or a fragment';
  return null;
}

/** Shows the start of a secret only: `abcd…` (never the whole of it). */
export function maskSecret(value: string): string {
  return `${value.slice(0, 4)}…`;
}

/** The webhook as lists show it: host, path and the key parameter masked. */
export function maskedWebhook(kind: RobotKind, url: string): string {
  const spec = ROBOT_WEBHOOKS[kind];
  try {
    const u = new URL(url);
    return `${u.host}${u.pathname}?${spec.param}=${maskSecret(u.searchParams.get(spec.param) ?? '')}`;
  } catch {
    return `${kind}:…`;
  }
}

/** The request body of a markdown message in the robot's format. */
export function robotBody(kind: RobotKind, title: string, markdown: string): unknown {
  return kind === 'wecom'
    ? { msgtype: 'markdown', markdown: { content: fitBytes(markdown, ROBOT_MARKDOWN_MAX_BYTES) } }
    : { msgtype: 'markdown', markdown: { title, text: fitBytes(markdown, ROBOT_MARKDOWN_MAX_BYTES * 4) } };
}

/** DingTalk's signature: base64 of HMAC-SHA256 of `${timestamp}\n${secret}` keyed with the secret. */
export function dingTalkSign(timestamp: number, secret: string): string {
  return createHmac('sha256', secret).update(`${timestamp}\n${secret}`).digest('base64');
}

/** The text cut to at most `max` UTF-8 bytes, on a character boundary, marked with … when cut. */
export function fitBytes(text: string, max: number): string {
  if (Buffer.byteLength(text) <= max) return text;
  let out = '';
  let bytes = 0;
  for (const ch of text) {
    const n = Buffer.byteLength(ch);
    if (bytes + n > max - 3) break;
    out += ch;
    bytes += n;
  }
  return `${out}…`;
}

export class RobotSendError extends Error {
  constructor(readonly failure: SendFailure) {
    super(failure.message);
  }
}

/**
 * Posts markdown messages to group robots. Success is HTTP 200 with errcode 0; rate-limit codes, 429,
 * 5xx answers, timeouts and network errors are transient; any other answer is permanent. Errors name
 * the robot by id, never by its URL.
 */
@Injectable()
export class RobotSender {
  async send(robot: Robot, title: string, markdown: string): Promise<{ response: string }> {
    const url = new URL(robot.webhookUrl);
    if (robot.kind === 'dingtalk' && robot.secret) {
      const timestamp = Date.now();
      url.searchParams.set('timestamp', String(timestamp));
      url.searchParams.set('sign', dingTalkSign(timestamp, robot.secret));
    }
    let res: Response;
    try {
      res = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json; charset=utf-8' },
        body: JSON.stringify(robotBody(robot.kind, title, markdown)),
        signal: AbortSignal.timeout(TIMEOUT_MS),
      });
    } catch (e) {
      const err = e as Error & { cause?: { code?: string } };
      const why = err.name === 'TimeoutError' ? 'timed out' : (err.cause?.code ?? err.name);
      throw new RobotSendError({ transient: true, message: `robot ${robot.id}: ${why}` });
    }
    const body = (await res.text().catch(() => '')).slice(0, 2000);
    const answer = `HTTP ${res.status} ${body}`.trim();
    if (res.status === 429 || res.status >= 500)
      throw new RobotSendError({ transient: true, message: answer });
    if (res.status !== 200) throw new RobotSendError({ transient: false, message: answer });
    let errcode: unknown;
    try {
      errcode = (JSON.parse(body) as { errcode?: unknown }).errcode;
    } catch {
      throw new RobotSendError({ transient: false, message: `${answer} (not JSON)` });
    }
    if (errcode === 0) return { response: body };
    throw new RobotSendError({ transient: RATE_LIMITED.has(Number(errcode)), message: answer });
  }
}
