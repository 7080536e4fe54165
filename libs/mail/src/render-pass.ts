import type { RenderPass } from './outbox.types';

/**
 * The cache of one worker pass (RenderPass): the last `capacity` results by key, the oldest dropped
 * first. A key asked for while its work is still running shares that work; a failure is not kept, so
 * the next mail tries again. Mails of one unit are queued one after another, so a few entries suffice.
 */
export class PassMemo implements RenderPass {
  private readonly entries = new Map<string, Promise<unknown>>();

  constructor(private readonly capacity = 32) {}

  memo<T>(key: string, make: () => Promise<T>): Promise<T> {
    const hit = this.entries.get(key);
    if (hit) {
      // Most recently used last.
      this.entries.delete(key);
      this.entries.set(key, hit);
      return hit as Promise<T>;
    }
    const made = (async () => make())();
    this.entries.set(key, made);
    made.catch(() => {
      if (this.entries.get(key) === made) this.entries.delete(key);
    });
    while (this.entries.size > this.capacity) {
      this.entries.delete(this.entries.keys().next().value as string);
    }
    return made;
  }

  get size(): number {
    return this.entries.size;
  }
}
