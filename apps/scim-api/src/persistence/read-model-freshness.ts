/**
 * Read-your-writes (shared/DESIGN.md §4): a write's response returns only once the read models
 * include the write's global position, so the IdP's next GET or filter finds what it just wrote.
 */
export abstract class ReadModelFreshness {
  /** Resolves when every projection has reached `position`; false when the bounded wait ran out. */
  abstract waitFor(position: number): Promise<boolean>;
}
