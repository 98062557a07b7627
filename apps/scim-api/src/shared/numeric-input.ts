/**
 * A number from a query parameter or a JSON body, for class-transformer's @Transform: numbers and
 * numeric text convert, anything else is left for the validator to refuse with a 400. (Number() on
 * an object calls the object's own `toString`, which a JSON body controls: `{"toString": "x"}` threw.)
 */
export function toNumber({ value }: { value: unknown }): unknown {
  if (typeof value !== 'string') return value;
  return value.trim() === '' ? undefined : Number(value);
}

/**
 * Largest position or index a client may send: integers beyond it lose precision, and stores take
 * them as 64-bit offsets or positions (1e20 threw in the store: a 500).
 */
export const MAX_INDEX = Number.MAX_SAFE_INTEGER;
