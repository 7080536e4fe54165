import { Entity, Index, ManyToOne, type Opt, Property, type Rel } from '@mikro-orm/core';
import { BaseEntity } from './base.entity';
import { Activity } from './activity.entity';
import type { Role } from './user.entity';
import { User } from './user.entity';

/** `comment`: a message in the activity's thread; `changes`: the reviewer's "request changes" (also the reject reason). */
export type CommentKind = 'comment' | 'changes';

/**
 * One message of the conversation on a submitted or rejected activity, between its reviewers and its
 * unit; optionally with one file, stored and checked like evidence (EvidenceStore).
 */
@Entity({ tableName: 'activity_comments' })
@Index({ properties: ['activity', 'id'] })
export class ActivityComment extends BaseEntity {
  @ManyToOne(() => Activity)
  activity!: Rel<Activity>;

  @ManyToOne(() => User, { nullable: true, deleteRule: 'set null' })
  author?: Rel<User> | null;

  /** The author's name and role when writing (the thread reads the same after an account changes). */
  @Property({ type: 'string', length: 100 })
  authorName!: string;

  @Property({ type: 'string', length: 20 })
  authorRole!: Role;

  @Property({ type: 'string', length: 20 })
  kind: Opt<CommentKind> = 'comment';

  @Property({ type: 'text' })
  body!: string;

  @Property({ type: 'string', length: 255, nullable: true })
  attachmentName?: string | null;

  /** Random name in the evidence store; never derived from user input. */
  @Property({ type: 'string', length: 64, nullable: true })
  attachmentStoredName?: string | null;

  @Property({ type: 'string', length: 100, nullable: true })
  attachmentMimeType?: string | null;

  @Property({ type: 'integer', nullable: true })
  attachmentSize?: number | null;

  @Property({ type: 'string', length: 64, nullable: true })
  attachmentSha256?: string | null;
}
