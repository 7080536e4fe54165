import { Injectable } from '@nestjs/common';
import { EntityManager } from '@mikro-orm/core';
import { AuditLog } from '@app/db';
import type { Principal } from '@app/auth';

type Actor = Pick<Principal, 'id' | 'email'> | null;

@Injectable()
export class AuditService {
  constructor(private readonly em: EntityManager) {}

  /** Queues an audit row in the current unit of work, so it commits (or not) with the change itself. */
  record(actor: Actor, action: string, entity: string, entityId: string | number | null, changes?: object) {
    this.em.persist(
      this.em.create(AuditLog, {
        at: new Date(),
        actorId: actor?.id ?? null,
        actorEmail: actor?.email ?? null,
        action,
        entity,
        entityId: entityId == null ? null : String(entityId),
        changes: (changes as Record<string, unknown>) ?? null,
      }),
    );
  }

  /** Field-by-field difference for the audit log; secrets never passed in. */
  static diff<T extends object>(before: Partial<T>, after: Partial<T>): Record<string, [unknown, unknown]> {
    const out: Record<string, [unknown, unknown]> = {};
    for (const key of Object.keys(after) as (keyof T)[]) {
      const a = before[key];
      const b = after[key];
      if (JSON.stringify(a) !== JSON.stringify(b)) out[key as string] = [a ?? null, b ?? null];
    }
    return out;
  }
}
