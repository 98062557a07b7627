import { newEventId } from './event-id';

describe('newEventId: UUIDv7, ordered by the time it was minted', () => {
  it('is a version 7, RFC 9562 variant UUID carrying the milliseconds it was minted at', () => {
    const at = Date.UTC(2026, 10, 24, 21, 30, 0, 123);
    const id = newEventId(at);
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(parseInt(id.replace(/-/g, '').slice(0, 12), 16)).toBe(at);
  });

  it('sorts later ids after earlier ones, and never repeats', () => {
    const earlier = Array.from({ length: 1000 }, () => newEventId(1_000));
    const later = Array.from({ length: 1000 }, () => newEventId(1_001));
    expect(new Set([...earlier, ...later]).size).toBe(2000);
    expect(earlier.every((id) => later.every((next) => id < next))).toBe(true);
  });
});
