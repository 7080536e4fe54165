import { hash, verify } from '@node-rs/argon2';
import { ZxcvbnFactory } from '@zxcvbn-ts/core';
import * as common from '@zxcvbn-ts/language-common';
import * as en from '@zxcvbn-ts/language-en';
import { InvalidInputError } from '@app/common';

// @node-rs/argon2 defaults to argon2id; parameters follow OWASP's minimum (19 MiB, 2 iterations).
const OPTIONS = { memoryCost: 19456, timeCost: 2, parallelism: 1 };

export function hashPassword(password: string): Promise<string> {
  return hash(password, OPTIONS);
}

export async function verifyPassword(stored: string, password: string): Promise<boolean> {
  try {
    return await verify(stored, password);
  } catch {
    return false;
  }
}

/** Rules for new passwords, shared by the API, the pages, the CLI, the demo seeder and ADMIN_PASSWORD. */
export const PASSWORD_MIN_LENGTH = 10;
export const PASSWORD_MAX_LENGTH = 200;
/** zxcvbn's 0–4 guessability score: 3 is "safely unguessable" against an online attack. */
export const PASSWORD_MIN_SCORE = 3;

/**
 * Built on first use (loading the dictionaries takes ~0.2 s). The estimate runs on the request's thread,
 * so it is bounded: only the first 64 characters are scored (a longer password whose start is strong is
 * strong) and l33t substitutions are capped, which keeps the worst case near 50 ms instead of seconds.
 */
let estimator: ZxcvbnFactory | undefined;
function zxcvbn(): ZxcvbnFactory {
  return (estimator ??= new ZxcvbnFactory({
    dictionary: { ...common.dictionary, ...en.dictionary },
    graphs: common.adjacencyGraphs,
    translations: en.translations,
    maxLength: 64,
    l33tMaxSubstitutions: 5,
  }));
}

/** Whose password it is: their e-mail (and its local part) and name make it easier to guess. */
export interface PasswordOwner {
  email?: string | null;
  name?: string | null;
}

/**
 * Why a new password is refused (an InvalidInputError naming `field` and the rule: minLength, maxLength
 * or passwordStrength, with zxcvbn's warning and suggestions), or null when it is good.
 */
export function passwordProblem(
  password: string,
  owner: PasswordOwner = {},
  field = 'password',
): InvalidInputError | null {
  if (password.length < PASSWORD_MIN_LENGTH) {
    return new InvalidInputError(
      field,
      'minLength',
      `密码至少需要 ${PASSWORD_MIN_LENGTH} 个字符`,
      `${field} must be at least ${PASSWORD_MIN_LENGTH} characters`,
    );
  }
  if (password.length > PASSWORD_MAX_LENGTH) {
    return new InvalidInputError(
      field,
      'maxLength',
      `密码不能超过 ${PASSWORD_MAX_LENGTH} 个字符`,
      `${field} must be at most ${PASSWORD_MAX_LENGTH} characters`,
    );
  }
  const result = zxcvbn().check(password, ownerWords(owner));
  if (result.score >= PASSWORD_MIN_SCORE) return null;
  const hints = [result.feedback.warning, ...result.feedback.suggestions].filter(Boolean).join(' ');
  return new InvalidInputError(
    field,
    'passwordStrength',
    '密码太容易被猜到：请使用更长、不常见的词语组合，不要使用常见密码、重复字符、电子邮箱或姓名',
    `${field} is too easy to guess${hints ? `: ${hints}` : ''}`,
  );
}

/**
 * The owner's words zxcvbn should treat as known to an attacker: the e-mail, its local part with and
 * without separators and its pieces, the name and its parts (zxcvbn matches each as a whole token).
 */
function ownerWords({ email, name }: PasswordOwner): string[] {
  const mail = email?.trim().toLowerCase() ?? '';
  const local = mail.split('@')[0];
  const full = name?.trim().toLowerCase() ?? '';
  const words = [mail, local, local.replace(/[^\p{L}\p{N}]/gu, ''), full, full.replace(/\s+/g, '')];
  for (const part of [...local.split(/[^\p{L}\p{N}]+/u), ...full.split(/\s+/)]) {
    if (part.length >= 3) words.push(part);
  }
  return [...new Set(words.filter(Boolean))];
}

/** Throws passwordProblem's refusal, if any. */
export function assertPasswordStrength(
  password: string,
  owner: PasswordOwner = {},
  field = 'password',
): void {
  const problem = passwordProblem(password, owner, field);
  if (problem) throw problem;
}
