import 'reflect-metadata';
import { EnvError, validateEnv } from './env';

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
