import { Injectable } from '@nestjs/common';
import { EntityManager, type FilterQuery } from '@mikro-orm/core';
import { InvalidInputError } from '@app/common';
import { AuditLog, AuditVerification } from '@app/db';
import { type Page, pageOptions } from '../common/pagination';
import { AuditQuery } from './audit-query.dto';

export type AuditView = ReturnType<typeof AuditQueryService.view>;

/** Reading the audit log (writing stays in AuditService.record). */
@Injectable()
export class AuditQueryService {
  constructor(private readonly em: EntityManager) {}

  static view(a: AuditLog) {
    return {
      id: a.id,
      at: a.at,
      actorId: a.actorId ?? null,
      actorEmail: a.actorEmail ?? null,
      action: a.action,
      entity: a.entity,
      entityId: a.entityId ?? null,
      changes: a.changes ?? null,
    };
  }

  /** Newest first. Dates are calendar days in Asia/Shanghai, both ends included. */
  async list(q: AuditQuery): Promise<Page<AuditView>> {
    if (q.from && q.to && q.to < q.from) {
      throw new InvalidInputError(
        'to',
        'notBeforeFrom',
        '结束日期不能早于开始日期',
        'to must not be before from',
      );
    }
    const where: FilterQuery<AuditLog> = {};
    if (q.action) where.action = q.action;
    if (q.entity) where.entity = q.entity;
    if (q.entityId) where.entityId = q.entityId;
    if (q.actorId) where.actorId = q.actorId;
    if (q.from || q.to) {
      where.at = {
        ...(q.from ? { $gte: shanghaiMidnight(q.from, 0) } : {}),
        ...(q.to ? { $lt: shanghaiMidnight(q.to, 1) } : {}),
      };
    }
    const [items, total] = await this.em.findAndCount(AuditLog, where, {
      ...pageOptions(q),
      orderBy: [{ at: 'desc' }, { id: 'desc' }],
    });
    return { items: items.map(AuditQueryService.view), total, page: q.page, pageSize: q.pageSize };
  }

  /** The last check of the audit chain (audit:verify, the daily job), or null if never checked. */
  lastVerification(): Promise<AuditVerification | null> {
    return this.em.findOne(AuditVerification, { id: { $gt: 0 } }, { orderBy: { id: 'desc' } });
  }
}

/** 00:00 in Asia/Shanghai (UTC+8, no daylight saving) of `date` plus `days`. */
function shanghaiMidnight(date: string, days: number): Date {
  const d = new Date(`${date}T00:00:00+08:00`);
  d.setUTCDate(d.getUTCDate() + days);
  return d;
}
