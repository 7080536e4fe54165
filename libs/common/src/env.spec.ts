import 'reflect-metadata';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { getMetadataStorage } from 'class-validator';
import { Env, EnvError, oidcEnabled, trustProxySetting, validateEnv } from './env';

describe('validateEnv', () => {
  it('makes PUBLIC_URL (what mails link to) follow PORT when unset', () => {
    expect(validateEnv({}).PUBLIC_URL).toBe('http://localhost:3000');
    expect(validateEnv({ PORT: '3999' }).PUBLIC_URL).toBe('http://localhost:3999');
    expect(validateEnv({ PORT: '3999', PUBLIC_URL: 'https://t.example.gov.cn' }).PUBLIC_URL).toBe(
      'https://t.example.gov.cn',
    );
  });

  it('refuses a PUBLIC_URL that is not an http(s) address and a short METRICS_TOKEN, naming them', () => {
    expect(() => validateEnv({ PUBLIC_URL: 'tracker.example.gov.cn' })).toThrow(/PUBLIC_URL: .*http/);
    expect(() => validateEnv({ METRICS_TOKEN: 'short' })).toThrow(EnvError);
    expect(() => validateEnv({ METRICS_TOKEN: 'short' })).toThrow(/METRICS_TOKEN: .*16/);
    expect(validateEnv({ METRICS_TOKEN: 'a-long-enough-token' }).METRICS_TOKEN).toBe('a-long-enough-token');
  });
});

describe('OIDC settings: all or none', () => {
  const full = {
    OIDC_ISSUER: 'https://sso.example.gov.cn',
    OIDC_CLIENT_ID: 'tracker',
    OIDC_CLIENT_SECRET: 'a-secret',
  };

  it('accepts none and all three, with the e-mail claim defaulting to email', () => {
    expect(oidcEnabled(validateEnv({}))).toBe(false);
    const env = validateEnv(full);
    expect(oidcEnabled(env)).toBe(true);
    expect(env.OIDC_EMAIL_CLAIM).toBe('email');
  });

  it('refuses a partial set, naming each missing variable', () => {
    const partial = { OIDC_ISSUER: full.OIDC_ISSUER, OIDC_CLIENT_ID: full.OIDC_CLIENT_ID };
    expect(() => validateEnv(partial)).toThrow(
      /OIDC_CLIENT_SECRET: must be set with OIDC_ISSUER, OIDC_CLIENT_ID/,
    );
    expect(() => validateEnv({ OIDC_CLIENT_SECRET: 'x' })).toThrow(/OIDC_ISSUER: .*\n.*OIDC_CLIENT_ID: /);
  });

  it('refuses an issuer that is not an address and a bad claim name', () => {
    expect(() => validateEnv({ ...full, OIDC_ISSUER: 'sso.example' })).toThrow(/OIDC_ISSUER: .*http/);
    expect(() => validateEnv({ ...full, OIDC_EMAIL_CLAIM: 'e mail' })).toThrow(/OIDC_EMAIL_CLAIM/);
  });
});

describe('the README configuration table', () => {
  it('lists every setting', () => {
    const readme = readFileSync(join(__dirname, '..', '..', '..', 'README.md'), 'utf8');
    const section = readme.slice(readme.indexOf('## Configuration'));
    const table = section.slice(0, section.indexOf('\n## '));
    const listed = new Set([...table.matchAll(/`([A-Z][A-Z0-9_]+)`/g)].map((m) => m[1]));
    const settings = new Set(
      getMetadataStorage()
        .getTargetValidationMetadatas(Env, '', true, false)
        .map((m) => m.propertyName),
    );
    expect(settings.size).toBeGreaterThan(20);
    expect([...settings].filter((s) => !listed.has(s))).toEqual([]);
  });
});

describe('TRUST_PROXY: which proxies may name the client address', () => {
  it('is off by default: X-Forwarded-For is ignored', () => {
    expect(trustProxySetting(validateEnv({}).TRUST_PROXY)).toBe(false);
    expect(trustProxySetting('0')).toBe(false);
    expect(trustProxySetting('off')).toBe(false);
  });

  it.each([
    ['1', 1],
    ['true', true],
    ['loopback', ['loopback']],
    ['loopback, 10.0.0.0/8, 192.168.1.7, fd00::/8', ['loopback', '10.0.0.0/8', '192.168.1.7', 'fd00::/8']],
    ['10.1.0.0/255.255.0.0', ['10.1.0.0/255.255.0.0']],
  ])('takes %s as Express does', (value, setting) => {
    expect(trustProxySetting(validateEnv({ TRUST_PROXY: value }).TRUST_PROXY)).toEqual(setting);
  });

  it.each(['loopbak', '10.0.0.0/33', '300.1.1.1', 'yes please', '10.0.0.1/8/8', '1000'])(
    'stops start-up naming the setting for %s',
    (value) => {
      expect(() => validateEnv({ TRUST_PROXY: value })).toThrow(EnvError);
      expect(() => validateEnv({ TRUST_PROXY: value })).toThrow(/TRUST_PROXY: must be false, true/);
    },
  );
});
