import { Entity, ManyToOne, Property, type Rel } from '@mikro-orm/core';
import { BaseEntity } from './base.entity';
import { Activity } from './activity.entity';
import { User } from './user.entity';

@Entity({ tableName: 'evidence_files' })
export class EvidenceFile extends BaseEntity {
  @ManyToOne(() => Activity)
  activity!: Rel<Activity>;

  @Property({ type: 'string', length: 255 })
  originalName!: string;

  /** Random name on disk; never derived from user input. */
  @Property({ type: 'string', length: 64 })
  storedName!: string;

  @Property({ type: 'string', length: 100 })
  mimeType!: string;

  @Property({ type: 'integer' })
  size!: number;

  @Property({ type: 'string', length: 64 })
  sha256!: string;

  @ManyToOne(() => User, { nullable: true })
  uploadedBy?: Rel<User> | null;

  @Property({ type: 'datetime', nullable: true })
  deletedAt?: Date | null;
}
