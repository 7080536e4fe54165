import { createHmac } from 'node:crypto';
import { dingTalkSign, fitBytes, maskedWebhook, robotBody, webhookProblem } from './robot.sender';

describe('robot webhooks', () => {
  it('accepts only the platforms’ https webhooks with their key, unless a host is allowed for tests', () => {
    const wecom = 'https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=693a91f6-7xxx-4bc4';
    const ding = 'https://oapi.dingtalk.com/robot/send?access_token=abcdef0123456789';
    expect(webhookProblem('wecom', wecom, [])).toBeNull();
    expect(webhookProblem('dingtalk', ding, [])).toBeNull();
    expect(webhookProblem('wecom', ding, [])).toMatch(/qyapi/);
    expect(webhookProblem('wecom', wecom.replace('https', 'http'), [])).toMatch(/https/);
    expect(webhookProblem('wecom', 'https://qyapi.weixin.qq.com/cgi-bin/webhook/send', [])).toMatch(/key/);
    expect(webhookProblem('wecom', 'not a url', [])).toMatch(/URL/);
    const local = 'http://127.0.0.1:4567/cgi-bin/webhook/send?key=abcdefgh';
    expect(webhookProblem('wecom', local, [])).not.toBeNull();
    expect(webhookProblem('wecom', local, ['127.0.0.1:4567'])).toBeNull();
  });

  it('masks the key or token', () => {
    const shown = maskedWebhook(
      'dingtalk',
      'https://oapi.dingtalk.com/robot/send?access_token=abcdef0123456789',
    );
    expect(shown).toBe('oapi.dingtalk.com/robot/send?access_token=abcd…');
  });

  it("signs as DingTalk documents: base64 HMAC-SHA256 of 'timestamp\\nsecret' keyed with the secret", () => {
    const want = createHmac('sha256', 'SECabc').update('1700000000000\nSECabc').digest('base64');
    expect(dingTalkSign(1700000000000, 'SECabc')).toBe(want);
  });

  it('keeps WeCom markdown within 4096 bytes, cutting on a character boundary', () => {
    const long = '达标'.repeat(2000);
    const body = robotBody('wecom', 't', long) as { markdown: { content: string } };
    expect(Buffer.byteLength(body.markdown.content)).toBeLessThanOrEqual(4096);
    expect(body.markdown.content.endsWith('…')).toBe(true);
    expect(fitBytes('short', 4096)).toBe('short');
    expect(robotBody('dingtalk', 'title', 'text')).toEqual({
      msgtype: 'markdown',
      markdown: { title: 'title', text: 'text' },
    });
  });
});
