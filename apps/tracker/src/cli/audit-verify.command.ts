import { Command, CommandRunner } from 'nest-commander';
import type { AuditVerification } from '@app/db';
import { AuditVerifyService } from '../audit/audit-verify.service';

const PROBLEM: Record<string, [string, string]> = {
  changed: ['内容或哈希被改动', 'its content or hash was changed'],
  link: ['它之前的记录被删除或插入', 'an entry before it was removed or inserted'],
  unchained: ['没有哈希', 'it has no hash'],
  missing: ['上次校验时的最后一条记录已不存在', 'the last entry of the previous check is gone'],
};

/** The two lines (zh, en) a check's outcome is told in. */
export function verificationText(v: AuditVerification): string {
  if (v.ok)
    return `审计链完好：已校验 ${v.checked} 条记录。\nAudit chain intact: ${v.checked} entries checked.\n`;
  const [zh, en] = PROBLEM[v.problem ?? ''] ?? ['', v.problem ?? ''];
  return (
    `审计链在第 ${v.firstBrokenId} 条记录处断开（${zh}）；其前 ${v.checked} 条完好。\n` +
    `Audit chain broken at entry ${v.firstBrokenId} (${en}); ${v.checked} entries before it are intact.\n`
  );
}

/**
 * npm run cli -- audit:verify
 * Walks the audit log's hash chain; exits 0 printing the number of entries when intact, else 1
 * naming the first broken entry's id. Each run is recorded (the audit page shows the last one).
 */
@Command({
  name: 'audit:verify',
  description: "Check the audit log's hash chain; exit 1 naming the first broken entry",
})
export class AuditVerifyCommand extends CommandRunner {
  constructor(private readonly verifier: AuditVerifyService) {
    super();
  }

  async run(): Promise<void> {
    const v = await this.verifier.verify('cli');
    process.stdout.write(verificationText(v));
    if (!v.ok) process.exitCode = 1;
  }
}
