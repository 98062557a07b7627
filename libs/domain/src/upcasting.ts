import type { DomainEvent } from './decider';

/** Lifts an event's data from version N to N + 1. Old shapes stay frozen in the log. */
export type Upcaster = (data: Readonly<Record<string, unknown>>) => Record<string, unknown>;

/** Per event type, the upcasters indexed by the version they read (1 → 2 under key 1). */
export type UpcasterRegistry = Readonly<Record<string, Readonly<Record<number, Upcaster>>>>;

/**
 * When a shape changes, register the step here: new events are written with the next
 * `schemaVersion`, and readers only ever see the newest shape.
 */
export const eventUpcasters: UpcasterRegistry = {
  // v2 names no userName (docs/PRIVACY.md): the keyed stream name stands for it.
  UserNameReserved: { 1: ({ userNameKey: _key, userName: _name, ...rest }) => rest },
  UserNameReleased: { 1: ({ userNameKey: _key, ...rest }) => rest },
};

export function currentSchemaVersion(type: string, registry: UpcasterRegistry = eventUpcasters): number {
  const steps = stepsOf(registry, type);
  return steps ? Math.max(1, ...Object.keys(steps).map(Number)) + 1 : 1;
}

export function upcastEvent(
  stored: { readonly type: string; readonly data: Readonly<Record<string, unknown>>; readonly schemaVersion?: number },
  registry: UpcasterRegistry = eventUpcasters,
): DomainEvent<string, Readonly<Record<string, unknown>>> {
  let data = stored.data;
  const steps = stepsOf(registry, stored.type);
  for (let version = stored.schemaVersion ?? 1; steps && Object.hasOwn(steps, version); version += 1) {
    data = steps[version](data);
  }
  return { type: stored.type, data };
}

/** Own entries only: a type read from a log ("constructor") must not find Object.prototype's. */
function stepsOf(registry: UpcasterRegistry, type: string): UpcasterRegistry[string] | undefined {
  return Object.hasOwn(registry, type) ? registry[type] : undefined;
}
