import type { RecordedEvent } from '@scim/event-store';
import { type DocumentRef, POSITION_FIELD, type Projection } from './projection';
import type { Doc, DocumentChange, ReadStore } from './read-store.port';

/** Loads the existing documents among `ids` (absent ids are simply missing from the result). */
export type DocumentLoader = (collection: string, ids: readonly string[]) => Promise<ReadonlyMap<string, Doc>>;

/** A projection's `targets` or `evolve` threw, or returned something unusable, for one event. */
export class ProjectionEventError extends Error {
  constructor(
    readonly projection: string,
    readonly event: RecordedEvent,
    cause: unknown,
  ) {
    super(
      `Projection ${projection} failed on ${event.type} ${event.id} (stream ${event.streamId}, position ` +
        `${event.position}): ${cause instanceof Error ? cause.message : String(cause)}`,
      { cause },
    );
    this.name = 'ProjectionEventError';
  }
}

const LOAD_CHUNK = 500;

/** Loads documents with `{_id: {$in}}` queries: one round trip per collection and chunk. */
export function loaderFor(store: ReadStore): DocumentLoader {
  return async (collection, ids) => {
    const found = new Map<string, Doc>();
    for (let start = 0; start < ids.length; start += LOAD_CHUNK) {
      const chunk = ids.slice(start, start + LOAD_CHUNK);
      for (const doc of await store.find(collection, { _id: { $in: chunk } })) found.set(doc._id, doc);
    }
    return found;
  };
}

interface WorkingDocument {
  readonly ref: DocumentRef;
  /** The store held the document before this batch. */
  readonly existed: boolean;
  doc: Doc | null;
  changed: boolean;
  /** An event of this batch deleted the document (it may have been created again since). */
  deleted: boolean;
  /** Index of the event that created the current version, when this batch created it. */
  createdBy?: number;
}

/**
 * Folds a batch of events (in position order) into the documents they target and returns the
 * resulting changes. Each document is loaded once per batch and evolved in a working copy; an event
 * at or below a document's `_position` was already applied to it and is skipped, so replaying a
 * batch changes nothing. Every written document gets the `_position` of its last event.
 */
export async function projectBatch(
  projection: Projection,
  events: readonly RecordedEvent[],
  load: DocumentLoader,
): Promise<DocumentChange[]> {
  const targetsPerEvent = events.map((event) => targetsOf(projection, event));

  const working = new Map<string, Map<string, WorkingDocument>>();
  for (const refs of targetsPerEvent) {
    for (const ref of refs) {
      let documents = working.get(ref.collection);
      if (!documents) working.set(ref.collection, (documents = new Map()));
      if (!documents.has(ref.id)) documents.set(ref.id, { ref, existed: false, doc: null, changed: false, deleted: false });
    }
  }
  for (const [collection, documents] of working) {
    const loaded = await load(collection, [...documents.keys()]);
    for (const [id, doc] of loaded) {
      const entry = documents.get(id);
      if (entry) documents.set(id, { ...entry, existed: true, doc });
    }
  }

  events.forEach((event, index) => {
    for (const ref of targetsPerEvent[index]) {
      const entry = working.get(ref.collection)?.get(ref.id) as WorkingDocument;
      if (wasApplied(entry.doc, event)) continue;
      const next = evolveOne(projection, ref, entry.doc, event);
      if (next === null && entry.doc !== null) entry.deleted = true;
      if (next !== null && entry.doc === null) entry.createdBy = index;
      entry.doc = next;
      entry.changed = true;
    }
  });
  return changesInEventOrder(working);
}

/**
 * The changes to commit, listed so that the store's insertion order is the one event-by-event
 * commits would give (a rebuild in large batches must equal the live model): replacements and
 * deletions first, then documents this batch created, in the order of the events that created them.
 * A document deleted and created again is listed as both, so it moves to the end like a new one.
 */
function changesInEventOrder(working: ReadonlyMap<string, ReadonlyMap<string, WorkingDocument>>): DocumentChange[] {
  const changes: DocumentChange[] = [];
  const created: { readonly change: DocumentChange; readonly createdBy: number }[] = [];
  for (const documents of working.values()) {
    for (const { ref, existed, doc, changed, deleted, createdBy } of documents.values()) {
      if (!changed) continue;
      const { collection, id } = ref;
      if (doc === null) {
        if (existed) changes.push({ collection, id, doc: null });
      } else if (existed && !deleted) {
        changes.push({ collection, id, doc });
      } else {
        if (existed) changes.push({ collection, id, doc: null });
        created.push({ change: { collection, id, doc }, createdBy: createdBy as number });
      }
    }
  }
  created.sort((a, b) => a.createdBy - b.createdBy);
  return [...changes, ...created.map(({ change }) => change)];
}

function targetsOf(projection: Projection, event: RecordedEvent): readonly DocumentRef[] {
  let refs: readonly DocumentRef[];
  try {
    refs = projection.targets(event);
  } catch (error) {
    throw new ProjectionEventError(projection.name, event, error);
  }
  const isRef = (ref: DocumentRef) => typeof ref?.collection === 'string' && typeof ref.id === 'string' && ref.id !== '';
  if (!Array.isArray(refs) || !refs.every(isRef)) {
    throw new ProjectionEventError(projection.name, event, new TypeError('targets() must return {collection, id} references'));
  }
  return refs;
}

function evolveOne(projection: Projection, ref: DocumentRef, doc: Doc | null, event: RecordedEvent): Doc | null {
  let next: Doc | null;
  try {
    next = projection.evolve(ref, doc, event);
  } catch (error) {
    throw new ProjectionEventError(projection.name, event, error);
  }
  if (next === null) return null;
  if (typeof next !== 'object' || next._id !== ref.id) {
    throw new ProjectionEventError(
      projection.name,
      event,
      new TypeError(`evolve() must return null or a document whose _id is "${ref.id}"`),
    );
  }
  return { ...next, [POSITION_FIELD]: event.position };
}

function wasApplied(doc: Doc | null, event: RecordedEvent): boolean {
  const position = doc?.[POSITION_FIELD];
  return typeof position === 'number' && event.position <= position;
}
