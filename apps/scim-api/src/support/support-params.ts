import { ScimError } from '@scim/scim-protocol';

// An instant needs its offset: a local time would mean different instants on different machines.
const INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/;

/**
 * An ISO-8601 instant from a query parameter, normalised to UTC milliseconds. A `+` offset that
 * arrived as a space (an unencoded `+` in a query string) is read as `+`.
 */
export function instantParam(name: string, value: unknown, fallback?: () => string): string {
  if (value === undefined && fallback) return fallback();
  if (typeof value !== 'string') throw new ScimError(400, `${name} is required once, as an ISO-8601 instant such as 2026-03-01T10:00:00Z`, 'invalidValue');
  const spelled = value.trim().replace(/ (\d{2}:\d{2})$/, '+$1');
  const ms = INSTANT.test(spelled) ? Date.parse(spelled) : NaN;
  if (Number.isNaN(ms)) {
    throw new ScimError(400, `${name} must be an ISO-8601 instant with a time zone, such as 2026-03-01T10:00:00Z; got "${value.slice(0, 64)}"`, 'invalidValue');
  }
  // Events are stamped to the millisecond; truncating a finer instant keeps every event at or before it.
  return new Date(ms).toISOString();
}

export function limitParam(value: unknown, { fallback, max }: { fallback: number; max: number }): number {
  if (value === undefined) return fallback;
  const limit = typeof value === 'string' && /^\d{1,6}$/.test(value) ? Number(value) : NaN;
  if (!(limit >= 1 && limit <= max)) throw new ScimError(400, `limit must be an integer from 1 to ${max}`, 'invalidValue');
  return limit;
}

export function textParam(name: string, value: unknown, maxLength: number): string {
  if (typeof value !== 'string' || value.trim().length === 0 || value.length > maxLength) {
    throw new ScimError(400, `${name} is required once, 1 to ${maxLength} characters`, 'invalidValue');
  }
  return value.trim();
}
