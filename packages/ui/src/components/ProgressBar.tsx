import type { Progress } from '../format/progress.ts';

/** `{done, total}` drawn as a bar; the numbers stay readable beside it. */
export function ProgressBar({ progress, label }: { progress: Progress; label: string }) {
  const percent = progress.total === 0 ? 100 : Math.min(100, Math.max(0, (progress.done / progress.total) * 100));
  return (
    <div className="progress">
      <div
        className="progress-track"
        role="progressbar"
        aria-label={label}
        aria-valuemin={0}
        aria-valuemax={progress.total}
        aria-valuenow={progress.done}
      >
        <div className="progress-fill" style={{ width: `${percent}%` }} />
      </div>
      <span className="progress-text">
        {progress.done} / {progress.total} ({Math.floor(percent)}%)
      </span>
    </div>
  );
}
