import { readdirSync, readFileSync } from 'node:fs';

/** CPU time (ms, user + system) and resident memory (bytes) of a process and its descendants, from /proc (Linux). */
export interface ProcessUsage {
  readonly cpuMs: number;
  readonly rssBytes: number;
  /** Each process of the tree: its pid, its command's first words and its resident memory. */
  readonly processes: readonly { readonly pid: number; readonly command: string; readonly rssBytes: number }[];
}

const CLOCK_TICKS_PER_SECOND = 100;
const PAGE_BYTES = 4_096;

export function processTreeUsage(rootPid: number): ProcessUsage {
  const pids = [rootPid, ...descendantsOf(rootPid)];
  let cpuMs = 0;
  let rssBytes = 0;
  const processes: { pid: number; command: string; rssBytes: number }[] = [];
  for (const pid of pids) {
    const stat = readStat(pid);
    if (!stat) continue;
    cpuMs += ((stat.utime + stat.stime) * 1_000) / CLOCK_TICKS_PER_SECOND;
    rssBytes += stat.rssPages * PAGE_BYTES;
    processes.push({ pid, command: commandOf(pid), rssBytes: stat.rssPages * PAGE_BYTES });
  }
  return { cpuMs, rssBytes, processes };
}

function descendantsOf(rootPid: number): number[] {
  const parents = new Map<number, number[]>();
  for (const name of readdirSync('/proc')) {
    const pid = Number(name);
    if (!Number.isInteger(pid)) continue;
    const stat = readStat(pid);
    if (!stat) continue;
    const siblings = parents.get(stat.ppid) ?? [];
    siblings.push(pid);
    parents.set(stat.ppid, siblings);
  }
  const found: number[] = [];
  const pending = [rootPid];
  while (pending.length > 0) {
    for (const child of parents.get(pending.pop() as number) ?? []) {
      found.push(child);
      pending.push(child);
    }
  }
  return found;
}

function readStat(pid: number): { ppid: number; utime: number; stime: number; rssPages: number } | undefined {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  // Fields after the command name (which may hold spaces), from field 3 (state) on.
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
  return {
    ppid: Number(fields[1]),
    utime: Number(fields[11]),
    stime: Number(fields[12]),
    rssPages: Number(fields[21]),
  };
}

/** The program and its last argument, e.g. `node …/watcher-process-main.ts`. */
function commandOf(pid: number): string {
  try {
    const words = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean);
    const last = words.at(-1) ?? '';
    return `${(words[0] ?? '').split('/').at(-1)} ${last.split('/').at(-1)}`;
  } catch {
    return '?';
  }
}

/**
 * The CPU a process tree uses over `windowMs`, as a share of one core, and its peak resident
 * memory sampled every second of the window.
 */
export async function measureProcessTree(
  rootPid: number,
  windowMs: number,
): Promise<{ coreShare: number; peakRssBytes: number }> {
  const start = processTreeUsage(rootPid);
  const startedAt = performance.now();
  let peakRssBytes = start.rssBytes;
  while (performance.now() - startedAt < windowMs) {
    await new Promise((resolve) => setTimeout(resolve, Math.min(1_000, windowMs)));
    peakRssBytes = Math.max(peakRssBytes, processTreeUsage(rootPid).rssBytes);
  }
  const elapsedMs = performance.now() - startedAt;
  return { coreShare: (processTreeUsage(rootPid).cpuMs - start.cpuMs) / elapsedMs, peakRssBytes };
}
