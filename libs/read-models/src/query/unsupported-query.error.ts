/** A query or sort that uses something outside the subset documented in read-store.port.ts. */
export class UnsupportedQueryError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UnsupportedQueryError';
  }
}
