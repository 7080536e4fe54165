import type { Readable } from 'node:stream';
import { Injectable, Logger } from '@nestjs/common';
import { EntityManager, type FilterQuery } from '@mikro-orm/core';
import { type ActivityStatus, LABELS } from '@app/compliance';
import { ConflictError, Env, InvalidInputError, NotFoundError } from '@app/common';
import { Activity, EvidenceFile, User } from '@app/db';
import { Access, type Principal, ScopePolicy } from '@app/auth';
import { AuditService } from '../audit/audit.service';
import { EDITABLE_STATUSES } from '../activities/activities.service';
import { PeriodLocks } from '../compliance/period-locks';
import { IntegrityService } from '../integrity/integrity.service';
import {
  ALLOWED_LIST,
  checkEvidenceType,
  MAX_FILES_PER_ACTIVITY,
  MAX_FILES_PER_UPLOAD,
  sanitizeFileName,
} from './evidence-files';
import { FileTooLargeError } from './evidence.errors';
import { EvidenceStore } from './evidence.store';
import { type EvidenceView, evidenceView } from './evidence.view';

/**
 * What the upload endpoint hands over: a file multer streamed to the temporary folder (see
 * common/uploads.ts), with its size and SHA-256. Accepted files are moved into the store; the caller
 * removes whatever is left (UploadSlot).
 */
export interface IncomingFile {
  originalname: string;
  size: number;
  path: string;
  sha256: string;
}

/** An incoming file that passed the evidence checks: its safe name and the type read from its content. */
export interface CheckedFile {
  name: string;
  mime: string;
  size: number;
  sha256: string;
  path: string;
}

/**
 * The evidence rules for one streamed upload (size, not empty, type by content agreeing with the
 * extension); a refusal is a 400 (413 for the size) naming `field`. Evidence and comment attachments
 * both go through it.
 */
export async function checkIncomingFile(
  f: IncomingFile,
  maxBytes: number,
  field: string,
): Promise<CheckedFile> {
  const name = sanitizeFileName(f.originalname);
  if (f.size > maxBytes) throw new FileTooLargeError(name, maxBytes, field);
  if (f.size === 0) {
    throw new InvalidInputError(field, 'notEmpty', `文件「${name}」是空文件`, `File "${name}" is empty`);
  }
  const type = await checkEvidenceType(f.path, name);
  if (!type.ok) {
    throw type.rule === 'type'
      ? new InvalidInputError(
          field,
          'type',
          `文件「${name}」的类型不允许，仅限 ${ALLOWED_LIST}`,
          `File "${name}" is not an allowed type (${ALLOWED_LIST})`,
        )
      : new InvalidInputError(
          field,
          'contentMismatch',
          `文件「${name}」的内容与扩展名不符`,
          `The content of file "${name}" does not match its extension`,
        );
  }
  return { name, mime: type.mime, size: f.size, sha256: f.sha256, path: f.path };
}

export interface EvidenceDownload {
  file: EvidenceView;
  /** The type may be shown by the browser itself (PDF, images). */
  inlineAllowed: boolean;
  stream: Readable;
}

@Injectable()
export class EvidenceService {
  private readonly logger = new Logger('Evidence');

  constructor(
    private readonly em: EntityManager,
    private readonly audit: AuditService,
    private readonly store: EvidenceStore,
    private readonly env: Env,
    private readonly locks: PeriodLocks,
    private readonly integrity: IntegrityService,
  ) {}

  /**
   * Adds files to a draft or rejected activity. All or nothing: every file is checked (size, type by
   * content, extension) before any is moved into the store, and moved files are removed again if the
   * record fails.
   */
  async upload(p: Principal, activityId: number, files: IncomingFile[] | undefined): Promise<EvidenceView[]> {
    Access.assert(p, 'activities:record');
    await this.editableActivity(p, activityId, 'add');
    if (!files?.length) {
      throw new InvalidInputError(
        'files',
        'required',
        '请在字段 files 中选择要上传的文件',
        'Send at least one file in the multipart field "files"',
      );
    }
    if (files.length > MAX_FILES_PER_UPLOAD) {
      throw new InvalidInputError(
        'files',
        'maxCount',
        `一次最多上传 ${MAX_FILES_PER_UPLOAD} 个文件`,
        `At most ${MAX_FILES_PER_UPLOAD} files per upload`,
      );
    }
    const checked: CheckedFile[] = [];
    for (const f of files) checked.push(await checkIncomingFile(f, this.env.UPLOAD_MAX_BYTES, 'files'));

    const stored: string[] = [];
    try {
      for (const c of checked) stored.push(await this.store.adopt(c.path));
      return await this.em.transactional(async (em) => {
        // Checked again inside the transaction: the activity may have been submitted meanwhile.
        const activity = await this.editableActivity(p, activityId, 'add');
        const existing = await em.count(EvidenceFile, { activity: activity.id, deletedAt: null });
        if (existing + checked.length > MAX_FILES_PER_ACTIVITY) {
          throw new InvalidInputError(
            'files',
            'maxPerActivity',
            `每项活动最多 ${MAX_FILES_PER_ACTIVITY} 个证明材料，已有 ${existing} 个`,
            `At most ${MAX_FILES_PER_ACTIVITY} evidence files per activity; it has ${existing}`,
          );
        }
        const me = em.getReference(User, p.id);
        const rows = checked.map((c, i) =>
          em.create(EvidenceFile, {
            activity,
            originalName: c.name,
            storedName: stored[i],
            mimeType: c.mime,
            size: c.size,
            sha256: c.sha256,
            uploadedBy: me,
          }),
        );
        await em.flush();
        for (const r of rows) {
          this.audit.record(p, 'create', 'evidence', r.id, {
            activityId: activity.id,
            originalName: r.originalName,
            mimeType: r.mimeType,
            size: r.size,
            sha256: r.sha256,
          });
        }
        // A file added while the activity waits for review is part of the claim under review.
        if (activity.status === 'submitted') await this.integrity.check(em, activity.id);
        else await this.integrity.refresh(em, activity.id);
        return rows.map(evidenceView);
      });
    } catch (e) {
      await Promise.all(stored.map((s) => this.store.discard(s)));
      throw e;
    }
  }

  /** Live evidence files of an activity the caller can see. */
  async list(p: Principal, activityId: number): Promise<EvidenceView[]> {
    const activity = await this.em.findOne(Activity, {
      $and: [{ id: activityId }, ScopePolicy.activities(p)],
    });
    if (!activity) throw new NotFoundError(`activity ${activityId}`);
    const files = await this.em.find(
      EvidenceFile,
      { activity: activity.id, deletedAt: null },
      { orderBy: { id: 'asc' } },
    );
    return files.map(evidenceView);
  }

  /** Opens a file for download; only for callers who can see its activity (else 404). */
  async download(p: Principal, id: number): Promise<EvidenceDownload> {
    const f = await this.find(p, id);
    const size = await this.store.size(f.storedName);
    if (size == null) {
      this.logger.error(`evidence ${id}: stored file ${f.storedName} is missing`);
      throw new NotFoundError(`evidence file ${id} content`);
    }
    const inlineAllowed = f.mimeType === 'application/pdf' || f.mimeType.startsWith('image/');
    return { file: evidenceView(f), inlineAllowed, stream: this.store.open(f.storedName) };
  }

  /**
   * Soft delete (the bytes stay, the audit log says who removed what). With `activityId`, the file must
   * belong to that activity; any other does not exist from there (404).
   */
  async remove(p: Principal, id: number, activityId?: number): Promise<void> {
    Access.assert(p, 'activities:record');
    await this.em.transactional(async () => {
      const f = await this.find(p, id);
      if (activityId !== undefined && f.activity.id !== activityId)
        throw new NotFoundError(`evidence file ${id}`);
      if (p.role !== 'admin') await this.editableActivity(p, f.activity.id, 'remove');
      else {
        const a = await this.em.findOneOrFail(Activity, f.activity.id, { populate: ['unit'] });
        await this.locks.assertOpen(this.em, a.unit, a.date);
      }
      f.deletedAt = new Date();
      this.audit.record(p, 'delete', 'evidence', f.id, {
        activityId: f.activity.id,
        originalName: f.originalName,
        sha256: f.sha256,
      });
      await this.integrity.refresh(this.em, f.activity.id);
    });
  }

  private async find(p: Principal, id: number): Promise<EvidenceFile> {
    const f = await this.em.findOne(
      EvidenceFile,
      { id, deletedAt: null, activity: ScopePolicy.activities(p) } as FilterQuery<EvidenceFile>,
      { populate: ['activity'] },
    );
    if (!f) throw new NotFoundError(`evidence file ${id}`);
    return f;
  }

  /**
   * Evidence is changed while the activity is a draft or rejected; it may also be added (not removed)
   * while it waits for review, so a file forgotten at submission can still reach the reviewer. Never in
   * a closed period.
   */
  private async editableActivity(
    p: Principal,
    activityId: number,
    change: 'add' | 'remove',
  ): Promise<Activity> {
    const a = await this.em.findOne(
      Activity,
      { $and: [{ id: activityId }, ScopePolicy.activities(p)] },
      { populate: ['unit'] },
    );
    if (!a) throw new NotFoundError(`activity ${activityId}`);
    await this.locks.assertOpen(this.em, a.unit, a.date);
    if (EDITABLE_STATUSES.includes(a.status) || (change === 'add' && a.status === 'submitted')) return a;
    const status = LABELS.activityStatus[a.status as ActivityStatus].zh;
    throw new ConflictError(
      change === 'add'
        ? `只有草稿、已退回或待审核的活动可以添加证明材料，此活动状态为「${status}」`
        : `只有草稿或已退回的活动可以删除证明材料，此活动状态为「${status}」`,
      change === 'add'
        ? `Evidence can be added only until the activity is reviewed; it is ${a.status}`
        : `Evidence can be removed only while the activity is a draft or rejected; it is ${a.status}`,
      { status: a.status },
    );
  }
}
