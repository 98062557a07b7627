import { CheckpointMovedError, type Doc, type ReadStore } from './read-store.port';

const LEASES = 'leases';

interface LeaseDocument extends Doc {
  readonly holder: string;
  /** Epoch ms, by the clock of the holder that took or renewed it. */
  readonly expiresAt: number;
}

export interface LeaseOptions {
  /** What the lease is for; one holder per name at a time. */
  readonly name: string;
  /** This process (unique per replica and start). */
  readonly holder: string;
  /** How long a lease lasts unless renewed; a crashed holder's work resumes elsewhere after it. */
  readonly ttlMs: number;
  readonly now?: () => number;
}

/**
 * A lease in the read store, so that work every replica could do (delivering webhooks) is done by
 * one. Taking and renewing go through the commit's checkpoint guard (`Checkpoint.after`), which
 * every adapter applies atomically (the contract suites say so): of two replicas that read the
 * lease at the same generation, only one commits the next, even when both saw it expired.
 *
 * The holder counts its lease from before the commit that took it, so it believes it holds it no
 * longer than any other replica does; clocks must agree to well within the TTL.
 */
export class ReadStoreLease {
  private validUntil = 0;
  private readonly now: () => number;

  constructor(
    private readonly store: ReadStore,
    private readonly options: LeaseOptions,
  ) {
    this.now = options.now ?? Date.now;
  }

  /** Takes the lease, or renews it when held; false when another holder's lease has not expired. */
  async acquire(): Promise<boolean> {
    const { name, holder, ttlMs } = this.options;
    const startedAt = this.now();
    // The generation first: a renewal committed after this read makes the commit below fail.
    const generation = await this.store.checkpoint(this.generationName);
    const current = await this.store.get<LeaseDocument>(LEASES, name);
    if (current && current.holder !== holder && current.expiresAt > startedAt) {
      this.validUntil = 0;
      return false;
    }
    const doc: LeaseDocument = { _id: name, holder, expiresAt: startedAt + ttlMs };
    try {
      await this.store.commit([{ collection: LEASES, id: name, doc }], { projection: this.generationName, position: generation + 1, after: generation });
    } catch (error) {
      if (!(error instanceof CheckpointMovedError)) throw error;
      this.validUntil = 0;
      return false;
    }
    this.validUntil = startedAt + ttlMs;
    return true;
  }

  /** Whether this holder may still act: it took or renewed the lease less than a TTL ago. */
  held(): boolean {
    return this.now() < this.validUntil;
  }

  /** Gives the lease up, if held, so that another replica takes it at its next try rather than after the TTL. */
  async release(): Promise<void> {
    if (!this.held()) return;
    this.validUntil = 0;
    const generation = await this.store.checkpoint(this.generationName);
    const current = await this.store.get<LeaseDocument>(LEASES, this.options.name);
    if (current?.holder !== this.options.holder) return;
    try {
      await this.store.commit([{ collection: LEASES, id: this.options.name, doc: null }], { projection: this.generationName, position: generation + 1, after: generation });
    } catch (error) {
      if (!(error instanceof CheckpointMovedError)) throw error;
    }
  }

  private get generationName(): string {
    return `lease:${this.options.name}`;
  }
}
