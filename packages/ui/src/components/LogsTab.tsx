import { useEffect, useMemo, useRef, useState } from 'react';
import { ApiError } from '../api/http.ts';
import { readTaskLog, type TaskInstanceAddress } from '../api/task-instances-api.ts';
import type { TaskInstance } from '../api/types.ts';
import { filterLogLines, LOG_LEVELS, type LogLevel, logLinesOf } from '../format/log-lines.ts';

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
      {text !== '' && <LogView text={text} fileName={logFileName(address, tryNumber)} />}
    </div>
  );
}

function logFileName({ dagId, runId, taskId, mapIndex }: TaskInstanceAddress, tryNumber: number): string {
  const name = [dagId, runId, taskId, ...(mapIndex === -1 ? [] : [String(mapIndex)]), `try${tryNumber}`].join('__');
  return `${name.replace(/[^A-Za-z0-9._-]+/g, '_')}.log`;
}

/** The log's lines coloured by level, filtered by level and text, and downloadable as a file. */
function LogView({ text, fileName }: { text: string; fileName: string }) {
  const [minimum, setMinimum] = useState<LogLevel>('debug');
  const [search, setSearch] = useState('');
  const lines = useMemo(() => logLinesOf(text), [text]);
  const shown = filterLogLines(lines, minimum, search);
  const download = () => {
    const url = URL.createObjectURL(new Blob([text], { type: 'text/plain' }));
    const link = document.createElement('a');
    link.href = url;
    link.download = fileName;
    link.click();
    URL.revokeObjectURL(url);
  };
  return (
    <>
      <search className="log-toolbar" aria-label="Filter the log">
        <label className="inline">
          Level
          <select
            value={minimum}
            onChange={(event) => setMinimum(event.target.value as LogLevel)}
            aria-label="Lowest log level shown"
          >
            {LOG_LEVELS.map((level) => (
              <option key={level} value={level}>
                {level === 'debug' ? 'all' : `${level} and above`}
              </option>
            ))}
          </select>
        </label>
        <input
          type="search"
          value={search}
          onChange={(event) => setSearch(event.target.value)}
          placeholder="text in the line"
          aria-label="Log lines containing"
        />
        <span className="muted small">
          {shown.length} of {lines.length} lines
        </span>
        <button type="button" onClick={download}>
          Download
        </button>
      </search>
      <pre className="log" data-testid="log">
        {shown.map((line, index) => (
          // Lines have no identity of their own; their order is the log.
          // biome-ignore lint/suspicious/noArrayIndexKey: see above.
          <span key={index} className={`log-line${line.level ? ` log-${line.level}` : ''}`}>
            {line.text}
            {'\n'}
          </span>
        ))}
      </pre>
    </>
  );
}
