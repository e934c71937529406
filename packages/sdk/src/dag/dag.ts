import {
  type AssetCondition,
  type AssetReference,
  assetIdentity,
  isPollName,
  type JsonValue,
  MIN_POLL_EVERY_MS,
  type SerializedDag,
} from '@tidemark/core/task-process';
import { DagDefinitionError, InvalidWaitError } from '../errors.ts';
import { type Asset, isAsset, watchersOf } from './asset.ts';
import { type DagSchedule, parseDagSchedule } from './asset-schedule.ts';
import { type CallSite, captureCallSite } from './call-site.ts';
import { validateDefinitionId } from './definition-id.ts';
import { checkOptionNames } from './option-names.ts';
import type { PollDefinition, PollFunction, PollOptions } from './poll.ts';
import { parseStartDate } from './start-date.ts';
import {
  type MappedTaskFunction,
  type MappedTaskOptions,
  TASK_OPTION_NAMES,
  type TaskDefinition,
  type TaskFunction,
  type TaskOptions,
} from './task-definition.ts';
import {
  DEFAULT_TASK_POLICY,
  resolveTaskPolicy,
  TASK_POLICY_OPTION_NAMES,
  type TaskPolicy,
  type TaskPolicyOptions,
} from './task-policy.ts';
import { type AnyTaskRef, isTaskRef, type MappedTaskRef, type TaskRef, type TaskRefs } from './task-ref.ts';
import { topologicalOrder } from './topological-order.ts';
import { pollWait, type Wait, waitDurationMs } from './wait.ts';
import type { Watcher } from './watcher.ts';

/** Marks a DAG without `instanceof`: the DAG processor may load another copy of this module. */
export const DAG_MARKER: unique symbol = Symbol.for('tidemark.dag');

/**
 * While the DAG processor imports a DAG file it puts an array here, and `dag(...)` adds every DAG it
 * creates to it, so that a file that defines a DAG but exports none is an import error, not silence.
 */
const DEFINED_DAGS = Symbol.for('tidemark.definedDags');

export interface DagOptions {
  /**
   * Cron expression (5 fields, or 6 with seconds first) or preset (`@daily`…); an asset, a list of
   * assets (all of them) or `allOf`/`anyOf` (a run when the condition holds over new asset
   * events); `{ cron, assets }` for either; null or omitted: manual only.
   */
  readonly schedule?: DagSchedule;
  /** An ISO-8601 date or date-time (UTC unless it has an offset), or a Date. */
  readonly startDate?: string | Date;
  /** Create the runs missed since the start date. Default false. */
  readonly catchup?: boolean;
  readonly description?: string;
  readonly tags?: readonly string[];
  /** Retry and timeout policy of every task, unless the task sets its own. */
  readonly defaults?: TaskPolicyOptions;
}

const MAPPED_TASK_OPTION_NAMES = [...TASK_OPTION_NAMES, 'stateKey'] as const;

const DAG_OPTION_NAMES = ['schedule', 'startDate', 'catchup', 'description', 'tags', 'defaults'] as const;

interface TaskEntry extends TaskDefinition {
  readonly upstream: Set<string>;
}

/** A watcher of an asset the DAG references: the triggerer runs it (SPEC §15.3). */
export interface DagWatcher {
  readonly asset: AssetReference;
  readonly watcher: Watcher;
}

export class Dag {
  readonly [DAG_MARKER] = true as const;
  readonly dagId: string;
  /** The cron part of the schedule, or null. */
  readonly schedule: string | null;
  /** The asset part of the schedule, or null. */
  readonly assetCondition: AssetCondition | null;
  readonly startDate: Date | null;
  readonly catchup: boolean;
  readonly description: string | null;
  readonly tags: readonly string[];
  readonly defaults: TaskPolicy;
  /** Where `dag(...)` was called, so the DAG processor can point at the line of a definition error. */
  readonly definedAt: CallSite | null;
  readonly #tasks = new Map<string, TaskEntry>();
  readonly #polls = new Map<string, PollDefinition>();
  /** By asset and watcher name. */
  readonly #watchers = new Map<string, DagWatcher>();

  /** Use `dag(...)`. */
  constructor(dagId: string, options: DagOptions, definedAt: CallSite | null) {
    this.dagId = validateDefinitionId(dagId, 'DAG');
    const where = `DAG "${dagId}"`;
    checkOptionNames(options, DAG_OPTION_NAMES, where);
    this.definedAt = definedAt;
    const schedule = parseDagSchedule(options.schedule, dagId);
    this.schedule = schedule.cron;
    this.assetCondition = schedule.assetCondition;
    if (schedule.assetCondition) this.#addWatchersOfCondition(schedule.assetCondition);
    this.startDate = options.startDate === undefined ? null : parseStartDate(options.startDate, where);
    if (options.catchup !== undefined && typeof options.catchup !== 'boolean') {
      throw new DagDefinitionError(`catchup of ${where} must be true or false, got ${String(options.catchup)}`);
    }
    this.catchup = options.catchup ?? false;
    if (options.description !== undefined && typeof options.description !== 'string') {
      throw new DagDefinitionError(`description of ${where} must be a string`);
    }
    this.description = options.description ?? null;
    const tags = options.tags ?? [];
    if (!Array.isArray(tags) || !tags.every((tag) => typeof tag === 'string')) {
      throw new DagDefinitionError(`tags of ${where} must be an array of strings`);
    }
    this.tags = Object.freeze([...tags]);
    checkOptionNames(options.defaults, TASK_POLICY_OPTION_NAMES, `the defaults of ${where}`);
    this.defaults = Object.freeze(
      resolveTaskPolicy(options.defaults ?? {}, DEFAULT_TASK_POLICY, `the defaults of ${where}`),
    );
  }

  /** Adds a task; what `fn` returns (JSON, or nothing) becomes its XCom `return_value`. */
  task<TResult>(taskId: string, fn: TaskFunction<TResult>, options?: TaskOptions): TaskRef<Awaited<TResult>> {
    return this.#addTask(taskId, fn as TaskDefinition['fn'], options, null) as TaskRef<Awaited<TResult>>;
  }

  /**
   * Adds a task mapped over the array `upstream` returns: one task instance per element, each
   * called with its element. `upstream` becomes an upstream task of it.
   */
  map<TItem, TResult>(
    taskId: string,
    upstream: TaskRef<readonly TItem[]>,
    fn: MappedTaskFunction<TItem, TResult>,
    options?: MappedTaskOptions<TItem>,
  ): MappedTaskRef<Awaited<TResult>> {
    const upstreamTask = this.#ownTask(upstream, `task "${String(taskId)}" is mapped over`);
    if (upstreamTask.ref.mapped) {
      throw new DagDefinitionError(
        `task "${taskId}" in DAG "${this.dagId}" cannot be mapped over the mapped task "${upstreamTask.taskId}": ` +
          'map over a task that returns one array',
        { dag_id: this.dagId, task_id: taskId },
      );
    }
    return this.#addTask(taskId, fn as TaskDefinition['fn'], options, upstreamTask.taskId) as MappedTaskRef<
      Awaited<TResult>
    >;
  }

  /**
   * Declares a poll a deferred task can wait for (SPEC §16): a triggerer calls `fn(args, ctx)`
   * every `every` until it returns something other than undefined or null; the task then runs again
   * with `ctx.resumedWith` = that value. Returns a ref whose `wait(args)` is `waitFor(name, args)`.
   */
  poll<TArgs extends JsonValue = JsonValue, TResult extends JsonValue = JsonValue>(
    name: string,
    options: PollOptions,
    fn: PollFunction<TArgs, TResult>,
  ): PollRef<TArgs> {
    const where = `poll "${String(name)}" in DAG "${this.dagId}"`;
    if (!isPollName(name)) {
      throw new DagDefinitionError(`${where}: a poll name is 1–250 characters among letters, digits, "_", "-" and "."`);
    }
    if (this.#polls.has(name)) throw new DagDefinitionError(`${where} is declared twice`);
    checkOptionNames(options, ['every'], where);
    if (typeof fn !== 'function') throw new DagDefinitionError(`${where} needs a function to call, got ${String(fn)}`);
    let everyMs: number;
    try {
      everyMs = waitDurationMs(options?.every, `every of ${where}`, MIN_POLL_EVERY_MS);
    } catch (error) {
      throw new DagDefinitionError(error instanceof Error ? error.message : String(error));
    }
    this.#polls.set(name, Object.freeze({ name, everyMs, fn: fn as PollDefinition['fn'] }));
    return Object.freeze({ name, everyMs, wait: (args: TArgs) => this.waitFor(name, args) });
  }

  /** The wait for poll `name` (declared with `dag.poll`) with `args`, for `ctx.defer(wait, { timeout })`. */
  waitFor(name: string, args: JsonValue = {}): Wait {
    const poll = this.#polls.get(name);
    if (!poll) {
      const declared = [...this.#polls.keys()].map((known) => `"${known}"`).join(', ') || 'none';
      throw new InvalidWaitError(
        `poll "${String(name)}" is not declared in DAG "${this.dagId}" (declared: ${declared}); ` +
          'declare it in the DAG file with dag.poll(name, { every }, fn)',
      );
    }
    return pollWait(name, args, poll.everyMs);
  }

  getPoll(name: string): PollDefinition | undefined {
    return this.#polls.get(name);
  }

  /** Poll names in the order they were declared. */
  get pollNames(): string[] {
    return [...this.#polls.keys()];
  }

  /**
   * `dag.map` with task state keyed by item (SPEC §17) is `dag.map(id, upstream, fn, { stateKey })`;
   * this is its check: a function, or nothing.
   */
  #stateKeyOf(options: TaskOptions | undefined, where: string): TaskDefinition['stateKey'] {
    const stateKey = (options as MappedTaskOptions<JsonValue> | undefined)?.stateKey;
    if (stateKey === undefined) return null;
    if (typeof stateKey !== 'function') {
      throw new DagDefinitionError(
        `stateKey of ${where} must be a function of the item returning its key, e.g. (order) => order.id; got ${typeof stateKey}`,
      );
    }
    return stateKey;
  }

  /** Task ids in the order they were defined. */
  get taskIds(): string[] {
    return [...this.#tasks.keys()];
  }

  getTask(taskId: string): TaskDefinition | undefined {
    return this.#tasks.get(taskId);
  }

  /** The watchers of the assets this DAG references (schedule, inlets, outlets), each once. */
  get watchers(): readonly DagWatcher[] {
    return [...this.#watchers.values()];
  }

  /** The watcher `name` of `asset` (matched by name and URI), if the DAG references it. */
  getWatcher(asset: AssetReference, name: string): DagWatcher | undefined {
    return this.#watchers.get(watcherKey(asset, name));
  }

  /** The DAG as the scheduler stores it; `fileloc` is the file relative to the DAGs folder. */
  serialize(fileloc: string): SerializedDag {
    const order = topologicalOrder(
      this.dagId,
      this.taskIds,
      (taskId) => this.#tasks.get(taskId)?.upstream ?? new Set(),
    );
    return {
      dagId: this.dagId,
      fileloc,
      schedule: this.schedule,
      assetCondition: this.assetCondition,
      startDate: this.startDate === null ? null : this.startDate.getTime(),
      catchup: this.catchup,
      description: this.description,
      tags: [...this.tags],
      ...(this.#watchers.size === 0
        ? {}
        : {
            watchers: this.watchers.map(({ asset, watcher }) => ({
              name: watcher.name,
              asset: copyAsset(asset),
              everyMs: watcher.everyMs,
            })),
          }),
      tasks: order.map((taskId) => {
        const task = this.#tasks.get(taskId) as TaskEntry;
        return {
          taskId,
          upstreamTaskIds: [...task.upstreamTaskIds],
          mapOver: task.mapOver,
          ...task.policy,
          inlets: task.inlets.map(copyAsset),
          outlets: task.outlets.map(copyAsset),
        };
      }),
    };
  }

  #addTask(
    taskId: string,
    fn: TaskDefinition['fn'],
    options: TaskOptions | undefined,
    mapOver: string | null,
  ): AnyTaskRef {
    validateDefinitionId(taskId, `task (in DAG "${this.dagId}")`);
    if (this.#tasks.has(taskId)) {
      throw new DagDefinitionError(`task id "${taskId}" is defined twice in DAG "${this.dagId}"`, {
        dag_id: this.dagId,
        task_id: taskId,
      });
    }
    const where = `task "${taskId}" in DAG "${this.dagId}"`;
    if (typeof fn !== 'function') {
      throw new DagDefinitionError(`${where} needs a function to run, got ${String(fn)}`);
    }
    checkOptionNames(options, mapOver === null ? TASK_OPTION_NAMES : MAPPED_TASK_OPTION_NAMES, where);
    const stateKey = this.#stateKeyOf(options, where);
    const {
      inlets = [],
      outlets = [],
      stateKey: _stateKey,
      ...policyOptions
    } = (options ?? {}) as MappedTaskOptions<JsonValue>;
    const upstream = new Set<string>(mapOver === null ? [] : [mapOver]);
    const checkedInlets = checkAssets(inlets, 'inlets', where);
    const checkedOutlets = checkAssets(outlets, 'outlets', where);
    for (const declared of [...inlets, ...outlets]) this.#addWatchersOf(declared);
    const owner = this;
    const ref: AnyTaskRef = Object.freeze({
      dagId: this.dagId,
      taskId,
      mapped: mapOver !== null,
      // biome-ignore lint/suspicious/noThenProperty: `a.then(b)` is the authoring API's dependency arrow; awaiting a task ref throws a DagDefinitionError that says so.
      then<TDownstream extends TaskRefs>(downstream: TDownstream): TDownstream {
        owner.#addDownstream(taskId, downstream);
        return downstream;
      },
    }) as AnyTaskRef;
    const definedTasks = this.#tasks;
    this.#tasks.set(taskId, {
      dagId: this.dagId,
      taskId,
      ref,
      mapOver,
      upstream,
      get upstreamTaskIds() {
        return [...definedTasks.keys()].filter((id) => upstream.has(id));
      },
      policy: Object.freeze(resolveTaskPolicy(policyOptions, this.defaults, where)),
      inlets: checkedInlets,
      outlets: checkedOutlets,
      stateKey,
      fn,
    });
    return ref;
  }

  #addWatchersOfCondition(condition: AssetCondition): void {
    if (condition.kind === 'asset') this.#addWatchersOf(condition);
    else for (const part of condition.of) this.#addWatchersOfCondition(part);
  }

  #addWatchersOf(declared: AssetReference): void {
    for (const watcher of watchersOf(declared)) {
      const key = watcherKey(declared, watcher.name);
      const known = this.#watchers.get(key);
      if (known === undefined) this.#watchers.set(key, { asset: copyAsset(declared), watcher });
      else if (known.watcher !== watcher) {
        throw new DagDefinitionError(
          `DAG "${this.dagId}" references two different watchers named "${watcher.name}" on asset "${declared.name}"; ` +
            'declare the asset once (with its watchers) and use that value everywhere, or give the watchers different names',
          { dag_id: this.dagId },
        );
      }
    }
  }

  #addDownstream(upstreamTaskId: string, downstream: unknown): void {
    if (typeof downstream === 'function') {
      throw new DagDefinitionError(
        `task "${upstreamTaskId}" of DAG "${this.dagId}" is not a promise: its then() declares a downstream task, ` +
          'so a task ref must not be awaited or returned from an async function',
      );
    }
    for (const task of Array.isArray(downstream) ? downstream : [downstream]) {
      const entry = this.#ownTask(task, `task "${upstreamTaskId}".then() was given`);
      entry.upstream.add(upstreamTaskId);
    }
  }

  #ownTask(ref: unknown, context: string): TaskEntry {
    if (!isTaskRef(ref)) {
      throw new DagDefinitionError(
        `${context} ${String(ref)}, not a task of DAG "${this.dagId}" (use what dag.task() or dag.map() returned)`,
        { dag_id: this.dagId },
      );
    }
    const entry = this.#tasks.get(ref.taskId);
    if (entry?.ref === ref) return entry;
    throw new DagDefinitionError(
      ref.dagId === this.dagId
        ? `${context} task "${ref.taskId}" of another dag("${this.dagId}") object; define each DAG id once`
        : `${context} task "${ref.taskId}" of DAG "${ref.dagId}", but tasks can only depend on tasks of their own DAG ("${this.dagId}")`,
      { dag_id: this.dagId, task_id: ref.taskId },
    );
  }
}

/** What `dag.poll(...)` returns: `wait(args)` is the wait a task defers to. */
export interface PollRef<TArgs extends JsonValue = JsonValue> {
  readonly name: string;
  readonly everyMs: number;
  wait(args: TArgs): Wait;
}

/** Defines a DAG; export it from the DAG file (default or named export). */
export function dag(dagId: string, options: DagOptions = {}): Dag {
  const created = new Dag(dagId, options, captureCallSite(dag));
  const defined = (globalThis as { [DEFINED_DAGS]?: unknown })[DEFINED_DAGS];
  if (Array.isArray(defined)) defined.push(created);
  return created;
}

export function isDag(value: unknown): value is Dag {
  return typeof value === 'object' && value !== null && (value as { [DAG_MARKER]?: unknown })[DAG_MARKER] === true;
}

function checkAssets(assets: unknown, option: 'inlets' | 'outlets', where: string): readonly AssetReference[] {
  if (!Array.isArray(assets) || !assets.every(isAsset)) {
    throw new DagDefinitionError(`${option} of ${where} must be an array of asset(...) values`);
  }
  return Object.freeze((assets as Asset[]).map(copyAsset));
}

function watcherKey(asset: AssetReference, name: string): string {
  return JSON.stringify([assetIdentity(asset), name]);
}

function copyAsset(asset: AssetReference): AssetReference {
  return { name: asset.name, uri: asset.uri };
}
