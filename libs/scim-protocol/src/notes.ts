/** Notes kept per request, and characters kept per note: they go into event metadata, and a body may carry thousands of unknown keys. */
const MAX_NOTES = 50;
const MAX_NOTE_LENGTH = 200;

/** What an attribute path or schema URI is made of (RFC 7644 §3.10: names, URNs, `$ref`), and the marks of a cut. */
const ATTRIBUTE_PATH = /^[A-Za-z0-9_\-.:/$[\]…]*$/;

/**
 * Quirks accepted while reading a request, as short stable strings (`kind:attribute-path`), each
 * recorded once, in order. They go into event metadata, which is never encrypted: a note names
 * attributes, never values (docs/PRIVACY.md).
 */
export class Notes {
  private readonly seen = new Set<string>();

  add(note: string): void {
    const kept = noteWithoutValues(note);
    if (this.seen.size < MAX_NOTES) this.seen.add(kept.length > MAX_NOTE_LENGTH ? `${kept.slice(0, MAX_NOTE_LENGTH)}…` : kept);
    else this.seen.add('more-notes-dropped');
  }

  list(): string[] {
    return [...this.seen];
  }
}

/**
 * A note's path comes from the request (a PATCH path, a body key): the literals of a value filter
 * (`emails[value eq "…"]`) are values, and a key that is no attribute path may be one (a client
 * sending `{"ada@example.com": …}`), so both are cut; an index (`[0]`) is kept.
 */
export function noteWithoutValues(note: string): string {
  const colon = note.indexOf(':');
  if (colon < 0) return note;
  const path = note.slice(colon + 1).replace(/\[(?!\d+\])[^\]]*(\]|$)/g, '[…]');
  return `${note.slice(0, colon + 1)}${ATTRIBUTE_PATH.test(path) ? path : '…'}`;
}
