/** Notes kept per request, and characters kept per note: they go into event metadata, and a body may carry thousands of unknown keys. */
const MAX_NOTES = 50;
const MAX_NOTE_LENGTH = 200;

/** Quirks accepted while reading a request, as short stable strings, each recorded once, in order. */
export class Notes {
  private readonly seen = new Set<string>();

  add(note: string): void {
    if (this.seen.size < MAX_NOTES) this.seen.add(note.length > MAX_NOTE_LENGTH ? `${note.slice(0, MAX_NOTE_LENGTH)}…` : note);
    else this.seen.add('more-notes-dropped');
  }

  list(): string[] {
    return [...this.seen];
  }
}
