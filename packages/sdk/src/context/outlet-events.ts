import type { AssetReference, JsonValue, OutletEventExtra } from '@tidemark/core/task-process';
import { UndeclaredAssetError } from '../errors.ts';

/** The event one outlet emits when the task succeeds; set `extra` to say what changed. */
export interface OutletEvent {
  /** A JSON object, at most `state.max_value_bytes`; default `{}`. */
  extra: Record<string, JsonValue>;
}

/** `ctx.outletEvents.of(orders).extra = { rows: 120 }` */
export interface OutletEventAccessor {
  /** The event of `asset`, which must be an outlet of this task (else UndeclaredAssetError). */
  of(asset: AssetReference): OutletEvent;
}

export interface OutletEvents extends OutletEventAccessor {
  /** What the task set, for the `finished` message. */
  collect(): OutletEventExtra[];
}

export function createOutletEvents(outlets: readonly AssetReference[]): OutletEvents {
  const events = new Map<string, { asset: AssetReference; event: OutletEvent }>();
  const names = outlets.map((outlet) => outlet.name);
  return {
    of(asset) {
      const outlet = outlets.find((candidate) => candidate.name === asset?.name);
      if (!outlet) {
        throw new UndeclaredAssetError(
          String(asset?.name),
          names,
          `asset "${String(asset?.name)}" is not an outlet of this task, so it emits no event on success; ` +
            `outlets: ${names.length === 0 ? 'none' : names.map((name) => `"${name}"`).join(', ')} ` +
            "(add it to the task's outlets)",
        );
      }
      let entry = events.get(outlet.name);
      if (!entry) {
        entry = { asset: outlet, event: extraHolder(outlet.name) };
        events.set(outlet.name, entry);
      }
      return entry.event;
    },
    collect() {
      return [...events.values()].map(({ asset, event }) => ({ name: asset.name, uri: asset.uri, extra: event.extra }));
    },
  };
}

function extraHolder(assetName: string): OutletEvent {
  let extra: Record<string, JsonValue> = {};
  return {
    get extra() {
      return extra;
    },
    set extra(value: Record<string, JsonValue>) {
      if (typeof value !== 'object' || value === null || Array.isArray(value)) {
        throw new TypeError(
          `the extra of the event of outlet "${assetName}" must be a JSON object such as { rows: 120 }, got ${
            Array.isArray(value) ? 'an array' : String(value)
          }`,
        );
      }
      extra = value;
    },
  };
}
