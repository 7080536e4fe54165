import { renderTemplateMail } from './render';

describe('the password reset mail', () => {
  const resetUrl = 'https://tracker.example.gov.cn/reset-password?token=abc_DEF-123';

  it('speaks Chinese first and English for English users, with the link, its lifetime and what to ignore', () => {
    const zh = renderTemplateMail('password-reset', {
      locale: 'zh',
      recipientName: '张三',
      resetUrl,
      minutes: 60,
    });
    expect(zh.text).toContain('张三，您好');
    expect(zh.text).toContain(`设置新密码: ${resetUrl}`);
    expect(zh.text).toContain('60 分钟内有效');
    expect(zh.html).toContain(`href="${resetUrl}"`);
    expect(zh.html).toContain('lang="zh-CN"');
    const en = renderTemplateMail('password-reset', {
      locale: 'en',
      recipientName: 'Ann',
      resetUrl,
      minutes: 60,
    });
    expect(en.text).toContain('Dear Ann,');
    expect(en.text).toContain('within 60 minutes');
    expect(en.text).toContain('If you did not ask for this');
  });

  it('escapes the name in the HTML part', () => {
    const { html } = renderTemplateMail('password-reset', {
      locale: 'zh',
      recipientName: '<b>x</b>',
      resetUrl,
      minutes: 60,
    });
    expect(html).not.toContain('<b>x</b>');
    expect(html).toContain('&lt;b&gt;x&lt;/b&gt;');
  });
});
