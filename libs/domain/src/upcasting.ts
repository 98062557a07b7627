import type { DomainEvent } from './decider';

/** Lifts an event's data from version N to N + 1. Old shapes stay frozen in the log. */
export type Upcaster = (data: Readonly<Record<string, unknown>>) => Record<string, unknown>;

/** Per event type, the upcasters indexed by the version they read (1 → 2 under key 1). */
export type UpcasterRegistry = Readonly<Record<string, Readonly<Record<number, Upcaster>>>>;

/**
 * Every event type is at data version 1 today. When a shape changes, bump `schemaVersion` on
 * write and register the step here; readers then only ever see the newest shape.
 */
export const eventUpcasters: UpcasterRegistry = {};

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
