import type { TaskInstanceAddress } from '../api/task-instances-api.ts';
import { StatePanel } from './StatePanel.tsx';
import { XcomList } from './XcomList.tsx';

/** What a task instance stores: its XComs (this try's results) and its task state (kept across tries). */
export function StorageTab({ address, running }: { address: TaskInstanceAddress; running: boolean }) {
  return (
    <div className="storage">
      <section aria-labelledby="task-state-heading">
        <h2 id="task-state-heading">Task state</h2>
        <p className="muted small">Private to this task instance; survives its retries.</p>
        <StatePanel owner={{ kind: 'task', ...address }} live={running} />
      </section>
      <section aria-labelledby="xcom-heading">
        <h2 id="xcom-heading">XCom</h2>
        <XcomList address={address} running={running} />
      </section>
    </div>
  );
}
