import 'reflect-metadata';
import { renderTemplateMail } from './render';

const item = {
  title: '交流会<一>',
  date: '2026-03-02',
  requirement: '交流活动',
  reason: '缺少"证明" & <b>盖章</b>',
  unit: null,
  url: 'https://tracker.example.gov.cn/activities/7',
};

describe('event notice templates', () => {
  it('rejection: the reason quoted and escaped in HTML, as written in the text; label: value lines', () => {
    const { html, text } = renderTemplateMail('notice-rejected', {
      locale: 'zh',
      recipientName: '张三',
      intro: '示范单位<甲>的以下活动已被审核退回：',
      items: [item],
    });
    expect(html).toContain('<blockquote');
    expect(html).toContain('缺少&quot;证明&quot; &amp; &lt;b&gt;盖章&lt;/b&gt;');
    expect(html).toContain('示范单位&lt;甲&gt;');
    expect(html).toContain('href="https://tracker.example.gov.cn/activities/7"');
    expect(text).toContain('退回原因: "缺少"证明" & <b>盖章</b>"');
    expect(text).toContain('日期: 2026年3月2日');
    expect(text).toContain('张三，您好：');
    // No column alignment by runs of spaces (CJK widths differ between fonts).
    expect(text).not.toMatch(/\S {2,}\S/);
  });

  it('submissions: units named, the review queue linked, the rest counted', () => {
    const { html, text } = renderTemplateMail('notice-submissions', {
      locale: 'en',
      recipientName: 'Li',
      intro: 'On 2 Mar 2026 the units in your scope submitted 51 activities:',
      items: [{ ...item, reason: null, unit: 'Unit A (Guangdong)' }],
      more: 50,
      reviewUrl: 'https://tracker.example.gov.cn/review',
    });
    expect(html).toContain('Unit: Unit A (Guangdong)');
    expect(html).toContain('href="https://tracker.example.gov.cn/review"');
    expect(text).toContain('50 more; see the review queue.');
    expect(text).toContain('Open the review queue: https://tracker.example.gov.cn/review');
    expect(text).not.toContain('Reason');
  });

  it('comment: the body quoted and escaped in HTML, as written in the text, the attachment named, a reply link', () => {
    const model = {
      locale: 'zh' as const,
      recipientName: '张三',
      intro: '李四（监管部门）在以下活动下留言：',
      items: [{ ...item, reason: null }],
      comment: {
        body: '请补充<b>签到表</b> & "照片"',
        author: '李四',
        role: '监管部门',
        attachmentName: '要求.pdf',
      },
    };
    const { html, text } = renderTemplateMail('notice-comment', model);
    expect(html).toContain('请补充&lt;b&gt;签到表&lt;/b&gt; &amp; &quot;照片&quot;');
    expect(html).toContain('附件: 要求.pdf');
    expect(html).toContain('href="https://tracker.example.gov.cn/activities/7"');
    expect(text).toContain('"请补充<b>签到表</b> & "照片""');
    expect(text).toContain('查看并回复: https://tracker.example.gov.cn/activities/7');
    expect(text).not.toMatch(/\S {2,}\S/);
    const en = renderTemplateMail('notice-comment', {
      ...model,
      locale: 'en',
      comment: { ...model.comment, attachmentName: null },
    });
    expect(en.text).toContain('Read and reply: https://tracker.example.gov.cn/activities/7');
    expect(en.text).not.toContain('Attachment');
  });
});
