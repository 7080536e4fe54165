import { domainOf, fileNameFor, messageIdFor } from './message-id';

describe('message ids', () => {
  it('are the same for the same key and differ between keys', () => {
    const from = '平台 <noreply@tracker.example.gov.cn>';
    const a = messageIdFor('unit_report:2026-05:12:a@b.cn', from);
    expect(a).toBe(messageIdFor('unit_report:2026-05:12:a@b.cn', from));
    expect(a).not.toBe(messageIdFor('unit_report:2026-05:13:a@b.cn', from));
    expect(a).toMatch(/^<[0-9a-f]{32}@tracker\.example\.gov\.cn>$/);
  });

  it('take the domain of the sender, or localhost', () => {
    expect(domainOf('noreply@Example.CN')).toBe('example.cn');
    expect(domainOf('没有地址')).toBe('localhost');
  });

  it('give a file name that is safe and stable', () => {
    const name = fileNameFor('unit_report:2026-05:12:a/../b@c.cn');
    expect(name).toMatch(/^unit_report_2026-05_12_a_\.\._b@c\.cn\.[0-9a-f]{12}\.eml$/);
    expect(name).not.toContain('/');
    expect(fileNameFor('x'.repeat(1000)).length).toBeLessThan(200);
  });
});
