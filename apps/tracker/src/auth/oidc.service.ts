import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { Injectable, Logger } from '@nestjs/common';
/*
 * openid-client 6 ships only ES modules. tsc compiles this file to CommonJS, so the import becomes a
 * require(): Node 20.19+ loads ES modules through require() natively (the package uses no top-level
 * await), as it does for file-type. Jest cannot, so jest.config.js compiles openid-client and its two
 * dependencies (oauth4webapi, jose) to CommonJS like Nest's own ESM packages.
 */
import * as oidc from 'openid-client';
import { Env, oidcEnabled } from '@app/common';

/** The short-lived cookie carrying one sign-in's PKCE verifier, state, nonce and return path. */
export const OIDC_COOKIE = 'oidc_flow';
const COOKIE_PATH = '/auth/oidc';
/** How long the sign-in at the identity provider may take. */
const FLOW_TTL_MS = 10 * 60_000;

interface Flow {
  verifier: string;
  state: string;
  nonce: string;
  next: string;
  expires: number;
}

/** Why a sign-in through the identity provider did not yield an e-mail address. */
export class OidcFailure extends Error {
  constructor(
    readonly reason: 'failed' | 'noEmail',
    detail: string,
  ) {
    super(detail);
  }
}

/**
 * OpenID Connect authorization code flow with PKCE, state and nonce (openid-client). Nothing is kept in
 * process memory between the two steps: they travel in a cookie signed with a key derived from the
 * client secret (HMAC-SHA256), valid for ten minutes and only on /auth/oidc, so any instance can finish a
 * sign-in another began. The identity provider only proves an e-mail address; who that is, and what they
 * may do, comes from this product's users (AuthService.oidcSignIn).
 */
@Injectable()
export class OidcService {
  private readonly logger = new Logger('OIDC');
  private discovered?: Promise<oidc.Configuration>;

  constructor(private readonly env: Env) {}

  get enabled(): boolean {
    return oidcEnabled(this.env);
  }

  /** The button text of the sign-in page ('' when single sign-on is not configured). */
  label(fallback: string): string {
    return this.enabled ? this.env.OIDC_LABEL || fallback : '';
  }

  get redirectUri(): string {
    return `${this.env.PUBLIC_URL.replace(/\/+$/, '')}/auth/oidc/callback`;
  }

  cookieOptions(maxAge?: number) {
    return {
      httpOnly: true,
      sameSite: 'lax' as const,
      secure: this.env.PUBLIC_URL.startsWith('https://'),
      path: COOKIE_PATH,
      ...(maxAge === undefined ? {} : { maxAge }),
    };
  }

  /** The provider's address to send the browser to, and the cookie value to set for the callback. */
  async start(next: string): Promise<{ url: string; cookie: string }> {
    const config = await this.configuration();
    const verifier = oidc.randomPKCECodeVerifier();
    const flow: Flow = {
      verifier,
      state: oidc.randomState(),
      nonce: oidc.randomNonce(),
      next,
      expires: Date.now() + FLOW_TTL_MS,
    };
    const url = oidc.buildAuthorizationUrl(config, {
      redirect_uri: this.redirectUri,
      scope: 'openid email profile',
      code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      state: flow.state,
      nonce: flow.nonce,
    });
    return { url: url.href, cookie: this.sign(flow) };
  }

  /**
   * Exchanges the code of the callback (`query`: its query string) for tokens, checking state, nonce and
   * the ID token, and returns the e-mail address of OIDC_EMAIL_CLAIM (from the ID token, else userinfo)
   * with where to go next. Throws OidcFailure.
   */
  async finish(cookie: string | undefined, query: string): Promise<{ email: string; next: string }> {
    const flow = this.verify(cookie);
    if (!flow)
      throw new OidcFailure('failed', 'no valid sign-in in progress (cookie missing, altered or expired)');
    const config = await this.configuration();
    const current = new URL(this.redirectUri);
    current.search = query;
    let tokens: Awaited<ReturnType<typeof oidc.authorizationCodeGrant>>;
    try {
      tokens = await oidc.authorizationCodeGrant(config, current, {
        pkceCodeVerifier: flow.verifier,
        expectedState: flow.state,
        expectedNonce: flow.nonce,
        idTokenExpected: true,
      });
    } catch (e) {
      throw new OidcFailure('failed', (e as Error).message);
    }
    const claims: Record<string, unknown> = tokens.claims() ?? {};
    const name = this.env.OIDC_EMAIL_CLAIM;
    let email: unknown = claims[name];
    let verified: unknown = claims.email_verified;
    if (typeof email !== 'string' && tokens.access_token) {
      try {
        const info = await oidc.fetchUserInfo(config, tokens.access_token, claims.sub as string);
        email = info[name];
        verified = info.email_verified;
      } catch (e) {
        throw new OidcFailure('failed', `userinfo: ${(e as Error).message}`);
      }
    }
    // An address the provider says it has not verified proves nothing about who signs in.
    if (typeof email !== 'string' || !email.includes('@') || verified === false) {
      throw new OidcFailure('noEmail', `claim ${name} missing, not an address, or not verified`);
    }
    return { email: email.trim().toLowerCase(), next: flow.next };
  }

  /** Discovery, once per process (retried after a failure). */
  private configuration(): Promise<oidc.Configuration> {
    if (!this.enabled) throw new OidcFailure('failed', 'single sign-on is not configured');
    this.discovered ??= this.discover().catch((e: unknown) => {
      this.discovered = undefined;
      this.logger.warn(`discovery of ${this.env.OIDC_ISSUER} failed: ${(e as Error).message}`);
      throw new OidcFailure('failed', `discovery: ${(e as Error).message}`);
    });
    return this.discovered;
  }

  private discover(): Promise<oidc.Configuration> {
    const issuer = new URL(this.env.OIDC_ISSUER!);
    // Plain http only for a provider on this machine (a local test provider); anything else needs https.
    const local =
      issuer.protocol === 'http:' && ['127.0.0.1', 'localhost', '[::1]'].includes(issuer.hostname);
    return oidc.discovery(
      issuer,
      this.env.OIDC_CLIENT_ID!,
      this.env.OIDC_CLIENT_SECRET!,
      undefined,
      local ? { execute: [oidc.allowInsecureRequests] } : undefined,
    );
  }

  private key(): Buffer {
    return createHash('sha256').update(`oidc-flow-cookie:${this.env.OIDC_CLIENT_SECRET}`).digest();
  }

  private sign(flow: Flow): string {
    const body = Buffer.from(JSON.stringify(flow)).toString('base64url');
    const mac = createHmac('sha256', this.key()).update(body).digest('base64url');
    return `${body}.${mac}`;
  }

  private verify(value: string | undefined): Flow | null {
    if (!value || value.length > 4000) return null;
    const [body, mac, ...rest] = value.split('.');
    if (!body || !mac || rest.length) return null;
    const expected = createHmac('sha256', this.key()).update(body).digest();
    const given = Buffer.from(mac, 'base64url');
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return null;
    try {
      const flow = JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as Flow;
      return typeof flow.expires === 'number' && flow.expires > Date.now() ? flow : null;
    } catch {
      return null;
    }
  }
}
