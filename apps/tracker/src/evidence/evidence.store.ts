import { randomBytes } from 'node:crypto';
import { createReadStream, type ReadStream } from 'node:fs';
import { mkdir, rename, rm, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { Injectable } from '@nestjs/common';
import { Env } from '@app/common';

const STORED_NAME = /^[0-9a-f]{32}$/;

/**
 * Evidence bytes on local disk under DATA_DIR/evidence, each under a random name (never derived from
 * what the client sent). The only place that touches these files, so another store can replace it.
 */
@Injectable()
export class EvidenceStore {
  private readonly dir: string;

  constructor(env: Env) {
    this.dir = resolve(env.DATA_DIR, 'evidence');
  }

  /**
   * Moves an accepted upload from the temporary folder (DATA_DIR/evidence/.incoming, the same file
   * system) into the store and returns the stored name.
   */
  async adopt(tempPath: string): Promise<string> {
    await mkdir(this.dir, { recursive: true });
    const name = randomBytes(16).toString('hex');
    await rename(tempPath, this.path(name));
    return name;
  }

  /** Size on disk, or null when the file is missing. */
  async size(name: string): Promise<number | null> {
    try {
      return (await stat(this.path(name))).size;
    } catch {
      return null;
    }
  }

  open(name: string): ReadStream {
    return createReadStream(this.path(name));
  }

  /** Only for undoing a write whose database record was not committed. */
  async discard(name: string): Promise<void> {
    await rm(this.path(name), { force: true });
  }

  private path(name: string): string {
    if (!STORED_NAME.test(name)) throw new Error(`invalid stored evidence name ${JSON.stringify(name)}`);
    return join(this.dir, name);
  }
}
