// Four watchers that each hold a lock file while they poll, for the test that two triggerers never
// run one watcher at once. A lock found held by a live process is a violation; every poll is
// logged with the triggerer (parent pid) that ran it. The folder is `$E2E_EXCLUSIVE_DIR`.
import { appendFileSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { asset, dag, watcher } from '@tidemark/sdk';

const NAMES = ['w1', 'w2', 'w3', 'w4'];

function exclusivePoll(name: string) {
  return async () => {
    const folder = process.env.E2E_EXCLUSIVE_DIR;
    if (!folder) throw new Error('E2E_EXCLUSIVE_DIR is not set');
    const lock = join(folder, `${name}.lock`);
    try {
      writeFileSync(lock, String(process.pid), { flag: 'wx' });
    } catch {
      const holder = Number(readFileSync(lock, 'utf8'));
      if (isAlive(holder))
        appendFileSync(join(folder, 'violations.log'), `${name} held by ${holder}, polled by ${process.pid}\n`);
      writeFileSync(lock, String(process.pid));
    }
    appendFileSync(join(folder, 'polls.log'), `${name} ${process.ppid}\n`);
    await sleep(30);
    unlinkSync(lock);
    return [];
  };
}

/** Running, not merely a zombie: an orphaned process that ended may stay unreaped where PID 1 reaps nothing. */
function isAlive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

const exclusive = dag('e2e_exclusive', { schedule: null });
exclusive.task('declares', () => undefined, {
  inlets: NAMES.map((name) =>
    asset(`e2e_exclusive_${name}`, { watchers: [watcher(name, { every: '100ms' }, exclusivePoll(name))] }),
  ),
});

export default exclusive;
