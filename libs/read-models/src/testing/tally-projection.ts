import type { NewEvent, RecordedEvent } from '@scim/event-store';
import type { Projection } from '../projection';
import type { Doc } from '../read-store.port';

/**
 * A small projection for the runner's tests: counters in streams `tally-<id>`. Its evolve adds
 * blindly (not idempotent on its own), so only the runner's guards keep replays harmless.
 */
export interface TallyView extends Doc {
  readonly total: number;
  readonly _position?: number;
}

export const TALLIES = 'tallies';

export function tallyProjection(
  options: { readonly name?: string; readonly version?: number; readonly onEvolve?: (event: RecordedEvent) => void; readonly poisonIsFatal?: () => boolean } = {},
): Projection {
  return {
    name: options.name ?? 'tallies',
    version: options.version ?? 1,
    streamPrefixes: ['tally-'],
    targets: (event) => (typeof event.data.tallyId === 'string' ? [{ collection: TALLIES, id: event.data.tallyId }] : []),
    evolve: (ref, doc, event) => {
      options.onEvolve?.(event);
      const tally = doc as TallyView | null;
      switch (event.type) {
        case 'TallyOpened':
          return { _id: ref.id, total: 0 };
        case 'TallyIncremented':
          return tally ? { ...tally, total: tally.total + (event.data.by as number) } : null;
        case 'TallyClosed':
          return null;
        case 'TallyPoisoned':
          if (options.poisonIsFatal?.() ?? true) throw new Error('poisoned tally');
          return tally;
        default:
          return tally;
      }
    },
  };
}

let eventCounter = 0;

export function tallyEvent(type: string, tallyId: string, data: Record<string, unknown> = {}): NewEvent {
  return { id: `tally-event-${process.pid}-${++eventCounter}`, type, data: { tallyId, ...data }, metadata: {} };
}
