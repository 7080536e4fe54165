import { ApiProperty } from '@nestjs/swagger';
import type { EvidenceView } from '../evidence.view';

/** A file attached to an activity as evidence. */
export class EvidenceViewDto implements EvidenceView {
  id: number;
  activityId: number;
  originalName: string;
  /** Detected from the content, not taken from the upload. */
  mimeType: string;
  /** Bytes. */
  size: number;
  /** SHA-256 of the content, hex. */
  sha256: string;
  uploadedById: number | null;
  createdAt: Date;
  /** Download address; add `?inline=1` to show a PDF or image in the browser. */
  url: string;
}

/** multipart/form-data of an evidence upload. */
export class EvidenceUploadDto {
  /** The files (PDF, images, Office documents; size and count limits in the README). */
  @ApiProperty({ type: 'array', items: { type: 'string', format: 'binary' } })
  files: unknown[];
}
