import type request from 'supertest';
import { minimalPdf } from '../fixtures/evidence/world';

/**
 * Uploads one small PDF as evidence of the activity. Every shipped requirement needs evidence before
 * it can be submitted for review, so tests that submit give each activity a file first.
 */
export async function addEvidence(
  http: ReturnType<typeof request>,
  activityId: number,
  headers: Record<string, string>,
): Promise<void> {
  const res = await http
    .post(`/api/v1/activities/${activityId}/evidence`)
    .set(headers)
    .attach('files', minimalPdf(), '证明材料.pdf');
  if (res.status !== 201) {
    throw new Error(`evidence for activity ${activityId}: ${res.status} ${JSON.stringify(res.body)}`);
  }
}

/** Adds evidence, then submits the activity for review (the answer of the submit). */
export async function submitWithEvidence(
  http: ReturnType<typeof request>,
  activityId: number,
  headers: Record<string, string>,
): Promise<request.Response> {
  await addEvidence(http, activityId, headers);
  return http.post(`/api/v1/activities/${activityId}/submit`).set(headers);
}
