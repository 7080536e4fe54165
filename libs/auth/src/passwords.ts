import { hash, verify } from '@node-rs/argon2';

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

/** Rule for new passwords, shared by the API, the CLI and the first-admin bootstrap. */
export const PASSWORD_MIN_LENGTH = 10;
