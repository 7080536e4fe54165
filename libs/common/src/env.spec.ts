import 'reflect-metadata';
import { EnvError, trustProxySetting, validateEnv } from './env';

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
