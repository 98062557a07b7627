import { Notes, noteWithoutValues } from './notes';

describe('normalisation notes name attributes, never values (they go into event metadata)', () => {
  it('keeps attribute paths, URNs and indexes as they are', () => {
    for (const note of [
      'boolean-from-string:active',
      'unknown-attribute-ignored:urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:costCentre',
      'readonly-ignored:groups[0].$ref',
      'password-discarded',
    ]) {
      expect(noteWithoutValues(note)).toBe(note);
    }
  });

  it('cuts the literals of a value filter, and a key that is no attribute path', () => {
    expect(noteWithoutValues('pathless-path-key:emails[value eq "ada@example.com"].type')).toBe('pathless-path-key:emails[…].type');
    expect(noteWithoutValues('unknown-attribute-ignored:members[value eq "x" or display eq "Ada Lovelace"')).toBe('unknown-attribute-ignored:members[…]');
    expect(noteWithoutValues('unknown-attribute-ignored:ada@example.com')).toBe('unknown-attribute-ignored:…');
    expect(noteWithoutValues('unknown-attribute-ignored:Ada Lovelace')).toBe('unknown-attribute-ignored:…');
  });

  it('applies to every note a request records', () => {
    const notes = new Notes();
    notes.add('pathless-path-key:emails[type eq "work"].value');
    notes.add('unknown-attribute-ignored:+1 555 0100');
    expect(notes.list()).toEqual(['pathless-path-key:emails[…].value', 'unknown-attribute-ignored:…']);
  });
});
