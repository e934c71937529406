/** Type-only marker carrying what a task returns; never present at runtime. */
declare const returnType: unique symbol;

export type AnyTaskRef = TaskRef<unknown> | MappedTaskRef<unknown>;
export type TaskRefs = AnyTaskRef | readonly AnyTaskRef[];

interface TaskRefBase {
  readonly dagId: string;
  readonly taskId: string;
  /**
   * Declares that `downstream` runs after this task; returns `downstream`, so chains read
   * `a.then(b).then(c)`, and `a.then([b, c])` fans out. (Not a promise: awaiting a task ref throws.)
   */
  then<TDownstream extends TaskRefs>(downstream: TDownstream): TDownstream;
}

/** A task of a DAG, typed by what its function returns (its XCom `return_value`). */
export interface TaskRef<TReturn> extends TaskRefBase {
  readonly mapped: false;
  readonly [returnType]?: TReturn;
}

/** A task mapped over an upstream task's returned array: one task instance per element. */
export interface MappedTaskRef<TItemReturn> extends TaskRefBase {
  readonly mapped: true;
  readonly [returnType]?: TItemReturn;
}

export function isTaskRef(value: unknown): value is AnyTaskRef {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as AnyTaskRef).taskId === 'string' &&
    typeof (value as AnyTaskRef).dagId === 'string' &&
    typeof (value as AnyTaskRef).mapped === 'boolean'
  );
}
