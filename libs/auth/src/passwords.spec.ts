import 'reflect-metadata';
import { assertPasswordStrength, passwordProblem, PASSWORD_MIN_SCORE } from './passwords';

const owner = { email: 'Li.Na@tianhe.example.com', name: 'Li Na' };

describe('passwordProblem: the one rule for new passwords', () => {
  it.each([
    ['1234567890', 'a common password'],
    [' '.repeat(10), 'ten spaces'],
    ['li.na@tianhe.example.com', 'the own e-mail'],
    ['Li.Na@tianhe.example.com', 'the own e-mail, other case'],
    ['LiNa12345678', 'the e-mail’s local part without its dot, and digits'],
    ['password123', 'a dictionary word and digits'],
    ['qwertyuiop', 'a keyboard row'],
    ['aaaaaaaaaaaa', 'a repeated character'],
  ])('refuses %j (%s) as passwordStrength, naming the field', (password) => {
    const problem = passwordProblem(password, owner);
    expect(problem).not.toBeNull();
    expect(problem!.details).toEqual({ field: 'password', rule: 'passwordStrength' });
    expect(problem!.en).toMatch(/^password is too easy to guess/);
    expect(problem!.zh).toContain('密码太容易被猜到');
  });

  it('gives zxcvbn’s warning in the message', () => {
    expect(passwordProblem('1234567890', owner)!.en).toContain('This is a frequently used password.');
  });

  it('refuses the own e-mail although the same text is fine for someone else', () => {
    const email = 'zhang.wei.logistics@gz.example.com';
    expect(passwordProblem(email, { email })).not.toBeNull();
    expect(passwordProblem(email, { email: 'other@x.cn' })).toBeNull();
  });

  it.each([
    ['minLength', 'short'],
    ['maxLength', 'x'.repeat(201)],
  ])('refuses a password by length: %s', (rule, password) => {
    expect(passwordProblem(password, owner)!.details).toEqual({ field: 'password', rule });
  });

  it.each([
    'demo-password-1',
    'admin-password-1',
    'page-test-password-1',
    'correct horse battery staple',
    'Wq7$kLm2#vBz9',
  ])('accepts %j', (password) => {
    expect(passwordProblem(password, owner)).toBeNull();
  });

  it('names another field when asked (ADMIN_PASSWORD)', () => {
    expect(() => assertPasswordStrength('abc', {}, 'ADMIN_PASSWORD')).toThrow(
      'ADMIN_PASSWORD must be at least 10 characters',
    );
    expect(PASSWORD_MIN_SCORE).toBe(3);
  });

  it('scores a long password in bounded time', () => {
    const long = '4@8(3)6#1!|l0$5+7%2z'.repeat(10);
    const started = Date.now();
    passwordProblem(long, owner);
    passwordProblem(long.slice(0, 200), owner);
    expect(Date.now() - started).toBeLessThan(2000);
  });
});
