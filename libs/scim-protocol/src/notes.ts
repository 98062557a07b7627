/** Quirks accepted while reading a request, as short stable strings, each recorded once, in order. */
export class Notes {
  private readonly seen = new Set<string>();

  add(note: string): void {
    this.seen.add(note);
  }

  list(): string[] {
    return [...this.seen];
  }
}
