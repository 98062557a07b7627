/** Notes kept per request, and characters kept per note: they go into event metadata, and a body may carry thousands of unknown keys. */
const MAX_NOTES = 50;
const MAX_NOTE_LENGTH = 200;

/** What an attribute path or schema URI is made of (RFC 7644 §3.10: names, URNs, `$ref`), and the marks of a cut. */
const ATTRIBUTE_PATH = /^[A-Za-z0-9_\-.:/$[\]…]*$/;

/**
 * What was normalised in an IdP's request. Stored forever in event metadata (`normalizations`):
 * a kind keeps its meaning once written; new quirks get new kinds.
 */
export type NoteKind =
  | 'active-removed-as-inactive'
  | 'bare-value-wrapped'
  | 'boolean-from-string'
  | 'empty-dropped'
  | 'empty-path-ignored'
  | 'entra-member-remove-list'
  | 'filter-add-created'
  | 'more-notes-dropped'
  | 'null-dropped'
  | 'password-discarded'
  | 'pathless-path-key'
  | 'readonly-ignored'
  | 'remove-listed-values'
  | 'replace-as-add'
  | 'single-value-unwrapped'
  | 'unknown-attribute-ignored'
  | 'undeclared-extension-ignored'
  | 'unknown-schema-ignored'
  | 'unqualified-extension-path'
  | 'urn-key-moved'
  | 'value-wrapped-in-array'
  | 'writeonly-discarded';

/** A note: its kind, and the attribute path it is about when there is one (`null-dropped:name.givenName`). */
export type Note = NoteKind | `${NoteKind}:${string}`;

/**
 * Quirks accepted while reading a request, as short stable strings (`kind:attribute-path`), each
 * recorded once, in order. They go into event metadata, which is never encrypted: a note names
 * attributes, never values (docs/PRIVACY.md).
 */
export class Notes {
  private readonly seen = new Set<string>();

  add(note: Note): void {
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
