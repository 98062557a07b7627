import type { RecordedEvent } from '@scim/event-store';
import type { Doc } from './read-store.port';

export interface DocumentRef {
  readonly collection: string;
  readonly id: string;
}

/**
 * A read model as pure functions of the event log (shared/STYLE.md §10). The runner loads each
 * targeted document, folds the events into it and commits the result with the checkpoint.
 *
 * The runner stamps `_position` (the position of the last event applied) on every document it
 * writes and skips events at or below it, so a replayed event changes nothing.
 */
export interface Projection {
  readonly name: string;
  /**
   * The shape of its documents: raised with every change to what `evolve` writes. A store built by
   * another version is rebuilt from the log at start-up (see read-model-upgrade.ts), so documents of
   * an older shape are never read.
   */
  readonly version: number;
  /** Streams this projection reads; empty means every stream. */
  readonly streamPrefixes: readonly string[];
  /** Pure: which documents this event touches (may be none). */
  targets(event: RecordedEvent): readonly DocumentRef[];
  /** Pure: the document after the event; null deletes it. Must be idempotent for a replayed event. */
  evolve(ref: DocumentRef, doc: Doc | null, event: RecordedEvent): Doc | null;
}

/** The field holding the position of the last event applied to a projected document. */
export const POSITION_FIELD = '_position';
