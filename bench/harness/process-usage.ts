import { readdirSync, readFileSync } from 'node:fs';

/** Linux's USER_HZ: /proc reports CPU time in these ticks. */
const TICKS_PER_SECOND = 100;

/** CPU seconds used so far, and resident memory now, by a process and its descendants (from /proc). */
export interface ProcessTreeUsage {
  readonly cpuSeconds: number;
  readonly rssBytes: number;
  readonly pids: readonly number[];
}

export function processTreeUsage(rootPid: number): ProcessTreeUsage {
  const parents = new Map<number, number>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = readStat(Number(entry));
    if (stat) parents.set(Number(entry), stat.parent);
  }
  const tree = [rootPid];
  for (let index = 0; index < tree.length; index++) {
    for (const [pid, parent] of parents) if (parent === tree[index]) tree.push(pid);
  }
  let ticks = 0;
  let rssBytes = 0;
  for (const pid of tree) {
    const stat = readStat(pid);
    if (!stat) continue;
    ticks += stat.userTicks + stat.systemTicks;
    rssBytes += readRss(pid);
  }
  return { cpuSeconds: ticks / TICKS_PER_SECOND, rssBytes, pids: tree };
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
  const end = processTreeUsage(rootPid);
  const elapsedSeconds = (performance.now() - startedAt) / 1_000;
  return { coreShare: (end.cpuSeconds - start.cpuSeconds) / elapsedSeconds, peakRssBytes };
}

function readStat(pid: number): { parent: number; userTicks: number; systemTicks: number } | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
    // After "pid (comm) ": state ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt utime stime
    return { parent: Number(fields[1]), userTicks: Number(fields[11]), systemTicks: Number(fields[12]) };
  } catch {
    return undefined; // it ended while we looked
  }
}

function readRss(pid: number): number {
  try {
    const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}
