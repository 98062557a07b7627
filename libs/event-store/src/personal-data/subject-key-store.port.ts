import type { DataSubject } from './personal-data-policy';

/** A subject's data key (AES-256) and the id recorded in every value sealed with it. */
export interface DataKey {
  readonly keyId: string;
  readonly key: Buffer;
}

/** The subject's key was destroyed: nothing may be sealed for it again. */
export class SubjectErasedError extends Error {
  constructor(readonly subjectId: string) {
    super(`The data key of subject ${subjectId} was destroyed: its personal data cannot be written again`);
    this.name = 'SubjectErasedError';
  }
}

/**
 * Per-subject data keys, kept apart from the event log (crypto-shredding: destroying a key erases
 * every value sealed with it, while the log itself never changes). Adapters: SQLite under DATA_DIR,
 * MongoDB; the port leaves room for an external KMS that wraps the keys.
 *
 * A key is durable before anyone is given it (made ahead in pools, docs/PRIVACY.md "Key
 * lifecycle"); its binding to a subject is recorded without waiting for a disk, because the sealed
 * events that name the key are the durable record of whose it is. A binding lost in a crash is made
 * again when an event naming the key is opened (`keyById` with the event's subject); erasure reads
 * the subject's events first, so it destroys every key they name.
 */
export abstract class SubjectKeyStore {
  /**
   * The subject's live key, given from a pool of durable keys when it has none.
   * @throws SubjectErasedError when the subject was erased.
   */
  abstract keyFor(subject: DataSubject): Promise<DataKey>;

  /**
   * The key with this id; undefined once destroyed (or never known). `namedBy`: the subject of the
   * event that names the key, which binds the key to it if its binding was lost.
   */
  abstract keyById(keyId: string, namedBy?: DataSubject): Promise<Buffer | undefined>;

  /** The id of the subject's live key, if it has one (without giving one). */
  abstract liveKeyIdOf(subjectId: string): Promise<string | undefined>;

  /**
   * Destroys every key bound to the subject for good and remembers that it was erased, so no new key
   * is given to it. Resolves with the ids destroyed (none when there was nothing left to destroy).
   */
  abstract destroy(subjectId: string): Promise<readonly string[]>;

  abstract close(): Promise<void>;
}
