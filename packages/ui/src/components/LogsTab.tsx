import { useEffect, useRef, useState } from 'react';
import { ApiError } from '../api/http.ts';
import { readTaskLog, type TaskInstanceAddress } from '../api/task-instances-api.ts';
import type { TaskInstance } from '../api/types.ts';

const FOLLOW_MS = 1_500;

/** The log of each try; the running try's log is followed as it grows. */
export function LogsTab({ address, taskInstance }: { address: TaskInstanceAddress; taskInstance: TaskInstance }) {
  // try_number counts the tries that started (a worker's claim starts one).
  const tries = taskInstance.try_number;
  const [chosen, setChosen] = useState<number | null>(null);
  const tryNumber = chosen ?? tries;
  if (tries === 0) return <p className="muted">Not started yet: no log.</p>;
  return (
    <div>
      <fieldset className="try-picker" aria-label="Try">
        {Array.from({ length: tries }, (_, index) => index + 1).map((number) => (
          <button
            key={number}
            type="button"
            className={number === tryNumber ? 'chip chip-active' : 'chip'}
            onClick={() => setChosen(number)}
          >
            Try {number}
          </button>
        ))}
      </fieldset>
      <TryLog
        key={`${tryNumber}`}
        address={address}
        tryNumber={tryNumber}
        running={tryNumber === tries && taskInstance.state === 'running'}
      />
    </div>
  );
}

function TryLog({
  address,
  tryNumber,
  running,
}: {
  address: TaskInstanceAddress;
  tryNumber: number;
  running: boolean;
}) {
  const [text, setText] = useState('');
  const [status, setStatus] = useState<'loading' | 'following' | 'complete' | 'none'>('loading');
  const [error, setError] = useState<string | null>(null);
  const { dagId, runId, taskId, mapIndex } = address;
  const runningRef = useRef(running);
  runningRef.current = running;

  useEffect(() => {
    let cancelled = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let offset = 0;
    const follow = async () => {
      try {
        const chunk = await readTaskLog({ dagId, runId, taskId, mapIndex }, tryNumber, offset);
        if (cancelled) return;
        setError(null);
        if (chunk.content !== '') setText((before) => before + chunk.content);
        if (chunk.continuation_token === null) {
          setStatus('complete');
          return;
        }
        offset = Number(chunk.continuation_token);
        setStatus('following');
        timer = setTimeout(follow, chunk.complete ? FOLLOW_MS : 0);
      } catch (caught) {
        if (cancelled) return;
        const missing = caught instanceof ApiError && caught.status === 404;
        if (missing) setStatus('none');
        else setError((caught as Error).message);
        // A running try's first lines may not have arrived yet; a finished try's log will not appear.
        if (!missing || runningRef.current) timer = setTimeout(follow, FOLLOW_MS * 2);
      }
    };
    void follow();
    return () => {
      cancelled = true;
      if (timer !== undefined) clearTimeout(timer);
    };
  }, [dagId, runId, taskId, mapIndex, tryNumber]);

  return (
    <div>
      <p className="muted small">
        {status === 'following' && 'Following the log as it grows…'}
        {status === 'none' && 'No log for this try yet.'}
        {status === 'complete' && 'End of log.'}
      </p>
      {error && (
        <p className="notice notice-error" role="alert">
          {error}
        </p>
      )}
      {text !== '' && (
        <pre className="log" data-testid="log">
          {text}
        </pre>
      )}
    </div>
  );
}
