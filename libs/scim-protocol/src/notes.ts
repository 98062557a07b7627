/** Notes kept per request, and characters kept per note: they go into event metadata, and a body may carry thousands of unknown keys. */
const MAX_NOTES = 50;
const MAX_NOTE_LENGTH = 200;

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
  | 'unknown-schema-ignored'
  | 'unqualified-extension-path'
  | 'urn-key-moved'
  | 'value-wrapped-in-array'
  | 'writeonly-discarded';

/** A note: its kind, and the attribute path it is about when there is one (`null-dropped:name.givenName`). */
export type Note = NoteKind | `${NoteKind}:${string}`;

/** Quirks accepted while reading a request, as short stable strings, each recorded once, in order. */
export class Notes {
  private readonly seen = new Set<string>();

  add(note: Note): void {
    if (this.seen.size < MAX_NOTES) this.seen.add(note.length > MAX_NOTE_LENGTH ? `${note.slice(0, MAX_NOTE_LENGTH)}…` : note);
    else this.seen.add('more-notes-dropped');
  }

  list(): string[] {
    return [...this.seen];
  }
}
