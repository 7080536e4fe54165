import { type ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';

export const OIDC_CLIENT = { id: 'tracker-test', secret: 'tracker-test-secret-0123456789' };

export interface TestOidcProvider {
  issuer: string;
  /** The account the next authorization request is signed in as (its e-mail claim). */
  loginAs(email: string, verified?: boolean): Promise<void>;
  close(): Promise<void>;
}

/** A free local port (for an app whose PUBLIC_URL must be known before it listens). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

/**
 * Starts test/support/oidc-provider.mjs (oidc-provider is ES modules only, which Jest does not load) as
 * a child process with one client whose redirect URI is `redirectUri`.
 */
export async function startOidcProvider(redirectUri: string): Promise<TestOidcProvider> {
  const child: ChildProcess = spawn(process.execPath, [join(__dirname, 'oidc-provider.mjs')], {
    env: {
      ...process.env,
      REDIRECT_URI: redirectUri,
      CLIENT_ID: OIDC_CLIENT.id,
      CLIENT_SECRET: OIDC_CLIENT.secret,
      NODE_OPTIONS: '',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let errors = '';
  child.stderr!.on('data', (d: Buffer) => (errors += d.toString()));
  const port = await new Promise<number>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /READY (\d+)/.exec(out);
      if (m) resolve(Number(m[1]));
    });
    child.once('exit', (code) => reject(new Error(`oidc provider exited (${code}): ${errors}`)));
    setTimeout(() => reject(new Error(`oidc provider did not start: ${errors}`)), 15_000).unref();
  });
  const issuer = `http://127.0.0.1:${port}`;
  return {
    issuer,
    async loginAs(email, verified = true) {
      const res = await fetch(`${issuer}/_login-as?email=${encodeURIComponent(email)}&verified=${verified}`);
      if (res.status !== 204) throw new Error(`loginAs: ${res.status}`);
    },
    close: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill();
      }),
  };
}
