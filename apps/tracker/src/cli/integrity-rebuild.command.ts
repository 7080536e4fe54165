import { Command, CommandRunner } from 'nest-commander';
import { SingleBar } from 'cli-progress';
import { IntegrityService } from '../integrity/integrity.service';

/**
 * npm run cli -- integrity:rebuild
 * Recomputes every activity's claim fingerprints and looks for duplicate claims among all submitted,
 * verified and rejected activities. Matches already explained stay explained.
 */
@Command({
  name: 'integrity:rebuild',
  description: 'Recompute the claim fingerprints and the duplicate claims of every activity',
})
export class IntegrityRebuildCommand extends CommandRunner {
  constructor(private readonly integrity: IntegrityService) {
    super();
  }

  async run(): Promise<void> {
    const bar = new SingleBar({ format: '{bar} {percentage}%', stream: process.stderr, hideCursor: true });
    let started = false;
    const { activities, matches } = await this.integrity.rebuild((done, total) => {
      if (!started) bar.start(total, 0);
      started = true;
      bar.update(done);
    });
    if (started) bar.stop();
    process.stdout.write(
      `已检查 ${activities} 项活动，重复申报 ${matches} 处。\nChecked ${activities} activities; ${matches} duplicate claims.\n`,
    );
  }
}
