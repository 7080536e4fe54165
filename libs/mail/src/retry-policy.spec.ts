import { backoffSeconds, classifySendError } from './retry-policy';

describe('retry policy', () => {
  const smtp = (responseCode: number, response: string, code = 'EMESSAGE') =>
    Object.assign(new Error(response), { responseCode, response, code });

  it('retries SMTP 4xx answers and keeps the answer', () => {
    expect(classifySendError(smtp(451, '451 4.7.1 Greylisted'))).toEqual({
      transient: true,
      message: '451 4.7.1 Greylisted',
    });
    expect(classifySendError(smtp(421, '421 Service not available', 'EENVELOPE')).transient).toBe(true);
  });

  it('gives up on 5xx answers, whatever the stage', () => {
    expect(classifySendError(smtp(550, '550 5.1.1 No such user', 'EENVELOPE'))).toEqual({
      transient: false,
      message: '550 5.1.1 No such user',
    });
    expect(classifySendError(smtp(552, '552 Message too large')).transient).toBe(false);
  });

  it('retries connection, DNS and timeout errors; a bad envelope without an answer is permanent', () => {
    for (const code of ['ECONNECTION', 'ETIMEDOUT', 'ESOCKET', 'EDNS', 'ECONNREFUSED']) {
      const r = classifySendError(Object.assign(new Error('boom'), { code }));
      expect({ code, ...r }).toEqual({ code, transient: true, message: `${code}: boom` });
    }
    expect(
      classifySendError(Object.assign(new Error('No recipients defined'), { code: 'EENVELOPE' })),
    ).toEqual({
      transient: false,
      message: 'No recipients defined',
    });
  });

  it('keeps mails for a retry when the server refuses our credentials, even with a 5xx answer', () => {
    expect(classifySendError(smtp(535, '535 5.7.8 Authentication failed', 'EAUTH'))).toEqual({
      transient: true,
      message: 'EAUTH: 535 5.7.8 Authentication failed',
    });
  });

  it('doubles the wait after each attempt, capped at six hours', () => {
    expect([1, 2, 3, 4].map((a) => backoffSeconds(a, 60))).toEqual([60, 120, 240, 480]);
    expect(backoffSeconds(20, 60)).toBe(6 * 3600);
    expect(backoffSeconds(1, 0)).toBe(0);
  });
});
