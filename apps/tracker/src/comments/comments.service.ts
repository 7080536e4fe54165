import type { Readable } from 'node:stream';
import { Injectable, Logger } from '@nestjs/common';
import { EntityManager } from '@mikro-orm/core';
import { type ActivityStatus, LABELS } from '@app/compliance';
import { ConflictError, Env, NotFoundError } from '@app/common';
import { Activity, ActivityComment, User } from '@app/db';
import { Access, type Principal, ScopePolicy } from '@app/auth';
import { AuditService } from '../audit/audit.service';
import { type CheckedFile, checkIncomingFile, type IncomingFile } from '../evidence/evidence.service';
import { EvidenceStore } from '../evidence/evidence.store';
import { NoticesService } from '../notices/notices.service';
import { type CommentView, commentView } from './comment.view';

/** The conversation runs while an activity is with the reviewers or back with the unit. */
export const COMMENTABLE_STATUSES: readonly ActivityStatus[] = ['submitted', 'rejected'];

export interface CommentDownload {
  name: string;
  mimeType: string;
  size: number;
  inlineAllowed: boolean;
  stream: Readable;
}

/**
 * Comments on an activity between its unit and its reviewers: who may write is `activities:comment`
 * on the activity's unit (found through the caller's scope: elsewhere 404); the thread is readable by
 * whoever sees the activity. An attachment goes through the evidence checks and store.
 */
@Injectable()
export class CommentsService {
  private readonly logger = new Logger('Comments');

  constructor(
    private readonly em: EntityManager,
    private readonly env: Env,
    private readonly audit: AuditService,
    private readonly store: EvidenceStore,
    private readonly notices: NoticesService,
  ) {}

  /** The thread, oldest first. */
  async list(p: Principal, activityId: number): Promise<CommentView[]> {
    const a = await this.load(this.em, p, activityId);
    const rows = await this.em.find(ActivityComment, { activity: a.id }, { orderBy: { id: 'asc' } });
    return rows.map(commentView);
  }

  /**
   * Adds a comment (with at most one file, checked like evidence before anything is stored), audits it
   * and queues its notice in the same transaction.
   */
  async create(
    p: Principal,
    activityId: number,
    body: string,
    file: IncomingFile | undefined,
  ): Promise<CommentView> {
    Access.assert(p, 'activities:comment');
    assertCommentable(await this.load(this.em, p, activityId));
    const checked: CheckedFile | null = file
      ? await checkIncomingFile(file, this.env.UPLOAD_MAX_BYTES, 'file')
      : null;
    const storedName = checked ? await this.store.adopt(checked.path) : null;
    try {
      return await this.em.transactional(async (em) => {
        // Checked again inside the transaction: the activity may have been verified meanwhile.
        const a = await this.load(em, p, activityId);
        assertCommentable(a);
        const c = em.create(ActivityComment, {
          activity: a,
          author: em.getReference(User, p.id),
          authorName: p.name,
          authorRole: p.role,
          kind: 'comment',
          body,
          attachmentName: checked?.name ?? null,
          attachmentStoredName: storedName,
          attachmentMimeType: checked?.mime ?? null,
          attachmentSize: checked?.size ?? null,
          attachmentSha256: checked?.sha256 ?? null,
        });
        await em.flush();
        this.audit.record(p, 'comment.create', 'activity', a.id, {
          commentId: c.id,
          kind: c.kind,
          body: c.body,
          ...(checked
            ? { attachment: { name: checked.name, sha256: checked.sha256, size: checked.size } }
            : {}),
        });
        await this.notices.commented(em, a, c);
        return commentView(c);
      });
    } catch (e) {
      if (storedName) await this.store.discard(storedName);
      throw e;
    }
  }

  /** Opens a comment's file; only for callers who can see its activity (else 404). */
  async download(p: Principal, activityId: number, commentId: number): Promise<CommentDownload> {
    const a = await this.load(this.em, p, activityId);
    const c = await this.em.findOne(ActivityComment, { id: commentId, activity: a.id });
    if (!c?.attachmentStoredName) throw new NotFoundError(`attachment of comment ${commentId}`);
    const size = await this.store.size(c.attachmentStoredName);
    if (size == null) {
      this.logger.error(`comment ${commentId}: stored file ${c.attachmentStoredName} is missing`);
      throw new NotFoundError(`attachment of comment ${commentId}`);
    }
    const mimeType = c.attachmentMimeType ?? 'application/octet-stream';
    return {
      name: c.attachmentName ?? 'file',
      mimeType,
      size,
      inlineAllowed: mimeType === 'application/pdf' || mimeType.startsWith('image/'),
      stream: this.store.open(c.attachmentStoredName),
    };
  }

  private async load(em: EntityManager, p: Principal, id: number): Promise<Activity> {
    const a = await em.findOne(
      Activity,
      { $and: [{ id }, ScopePolicy.activities(p)] },
      { populate: ['unit'] },
    );
    if (!a) throw new NotFoundError(`activity ${id}`);
    return a;
  }
}

/** 409 naming the status when the activity is a draft or already verified. */
export function assertCommentable(a: Pick<Activity, 'status'>): void {
  if (COMMENTABLE_STATUSES.includes(a.status)) return;
  const s = LABELS.activityStatus[a.status as ActivityStatus];
  throw new ConflictError(
    `只能对待审核或已退回的活动留言，此活动状态为「${s.zh}」`,
    `Only submitted or rejected activities take comments; this one is ${a.status}`,
    { field: 'status', rule: 'commentable', status: a.status },
  );
}
