import type { EvidenceFile } from '@app/db';

export interface EvidenceView {
  id: number;
  activityId: number;
  originalName: string;
  mimeType: string;
  size: number;
  sha256: string;
  uploadedById: number | null;
  createdAt: Date;
  /** Download address; add `?inline=1` to show a PDF or image in the browser. */
  url: string;
}

export function evidenceView(f: EvidenceFile): EvidenceView {
  return {
    id: f.id,
    activityId: f.activity.id,
    originalName: f.originalName,
    mimeType: f.mimeType,
    size: f.size,
    sha256: f.sha256,
    uploadedById: f.uploadedBy?.id ?? null,
    createdAt: f.createdAt,
    url: `/api/v1/evidence/${f.id}`,
  };
}
