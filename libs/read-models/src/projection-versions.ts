import type { Projection } from './projection';
import type { Doc, DocumentChange, ReadStore } from './read-store.port';

/** One document per projection: the `Projection.version` its documents were written by. */
export const PROJECTION_VERSIONS = 'projection_versions';

interface ProjectionVersionView extends Doc {
  readonly version: number;
}

export interface StaleProjection {
  readonly projection: string;
  /** The version the store was built by; undefined for a store written before versions were recorded. */
  readonly stored: number | undefined;
  readonly current: number;
}

/** `users v1, now v2, groups unversioned, now v3`: for logs and errors. */
export function describeStale(stale: readonly StaleProjection[]): string {
  return stale.map(({ projection, stored, current }) => `${projection} ${stored === undefined ? 'unversioned' : `v${stored}`}, now v${current}`).join(', ');
}

/**
 * Projections whose documents in `store` were written by another version of their code (or by a
 * release that recorded no version). A projection that never committed is not stale: it will be
 * built by the current code.
 */
export async function staleProjections(store: ReadStore, projections: readonly Projection[]): Promise<StaleProjection[]> {
  const stale: StaleProjection[] = [];
  for (const { name, version } of projections) {
    const recorded = await store.get<ProjectionVersionView>(PROJECTION_VERSIONS, name);
    if (recorded?.version === version) continue;
    if (!recorded && (await store.checkpoint(name)) === 0) continue;
    stale.push({ projection: name, stored: recorded?.version, current: version });
  }
  return stale;
}

/** The document recording `projection`'s version: committed with its checkpoint unchanged. */
export function projectionVersionChange({ name, version }: Pick<Projection, 'name' | 'version'>): DocumentChange {
  const doc: ProjectionVersionView = { _id: name, version };
  return { collection: PROJECTION_VERSIONS, id: name, doc };
}

/**
 * Records each projection's version, committed with its own checkpoint unchanged: on a new store
 * at start-up, and on a rebuilt one before it is swapped in.
 */
export async function recordProjectionVersions(store: ReadStore, projections: readonly Projection[]): Promise<void> {
  for (const { name, version } of projections) {
    const recorded = await store.get<ProjectionVersionView>(PROJECTION_VERSIONS, name);
    if (recorded?.version === version) continue;
    const position = await store.checkpoint(name);
    await store.commit([projectionVersionChange({ name, version })], { projection: name, position, after: position });
  }
}
