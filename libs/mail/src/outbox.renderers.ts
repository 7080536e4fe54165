import { Injectable } from '@nestjs/common';
import type { OutboxRenderer } from './outbox.types';

/** Kind → renderer. Feature modules register theirs at start-up (e.g. the monthly reports). */
@Injectable()
export class OutboxRenderers {
  private readonly byKind = new Map<string, OutboxRenderer>();

  register(kind: string, renderer: OutboxRenderer): void {
    this.byKind.set(kind, renderer);
  }

  get(kind: string): OutboxRenderer | undefined {
    return this.byKind.get(kind);
  }
}
