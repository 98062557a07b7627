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
 * every value sealed with it, while the log itself never changes). Adapters: SQLite under DATA_DIR;
 * the port leaves room for a MongoDB collection or an external KMS that wraps the keys.
 */
export abstract class SubjectKeyStore {
  /**
   * The subject's live key, created when it has none. A new key is durable before this resolves:
   * an event sealed with a key the store then lost could never be read.
   * @throws SubjectErasedError when the subject's key was destroyed.
   */
  abstract keyFor(subject: DataSubject): Promise<DataKey>;

  /** The key with this id; undefined once destroyed (or never known). */
  abstract keyById(keyId: string): Promise<Buffer | undefined>;

  /** The id of the subject's live key, if it has one (without creating one). */
  abstract liveKeyIdOf(subjectId: string): Promise<string | undefined>;

  /**
   * Destroys the subject's keys for good and remembers that it was erased, so no new key is made
   * for it. Resolves with the ids destroyed (none when there was nothing left to destroy).
   */
  abstract destroy(subjectId: string): Promise<readonly string[]>;

  abstract close(): Promise<void>;
}
