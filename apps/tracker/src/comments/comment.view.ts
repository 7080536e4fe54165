import type { ActivityComment, CommentKind, Role } from '@app/db';

export interface CommentAttachmentView {
  name: string;
  mimeType: string;
  size: number;
  sha256: string;
  /** Download address; add `?inline=1` to show a PDF or image in the browser. */
  url: string;
}

export interface CommentView {
  id: number;
  activityId: number;
  kind: CommentKind;
  body: string;
  authorId: number | null;
  authorName: string;
  authorRole: Role;
  createdAt: Date;
  attachment: CommentAttachmentView | null;
}

export function commentView(c: ActivityComment): CommentView {
  const activityId = c.activity.id;
  return {
    id: c.id,
    activityId,
    kind: c.kind,
    body: c.body,
    authorId: c.author?.id ?? null,
    authorName: c.authorName,
    authorRole: c.authorRole,
    createdAt: c.createdAt,
    attachment: c.attachmentStoredName
      ? {
          name: c.attachmentName ?? 'file',
          mimeType: c.attachmentMimeType ?? 'application/octet-stream',
          size: c.attachmentSize ?? 0,
          sha256: c.attachmentSha256 ?? '',
          url: `/api/v1/activities/${activityId}/comments/${c.id}/attachment`,
        }
      : null,
  };
}
