/** Bits per subject at capacity: with 7 probes, about 1 % of the subjects not added answer "maybe". */
const BITS_PER_SUBJECT = 10;
const PROBES = 7;

/**
 * A Bloom filter over subject ids: `mayHold` is false only for an id never added, so a "no" is
 * certain and a "maybe" is looked up. Past `capacity` it still answers right, only more often
 * "maybe" (`overfull` says when to make a larger one).
 */
export class SubjectFilter {
  private readonly words: Uint32Array;
  private readonly mask: number;
  private added = 0;

  constructor(readonly capacity: number) {
    let bits = 32;
    while (bits < capacity * BITS_PER_SUBJECT) bits *= 2;
    this.words = new Uint32Array(bits / 32);
    this.mask = bits - 1;
  }

  /** More ids were added than it was made for. */
  get overfull(): boolean {
    return this.added > this.capacity;
  }

  add(id: string): void {
    const [first, step] = hashesOf(id);
    let isNew = false;
    for (let probe = 0, at = first; probe < PROBES; probe++, at = (at + step) | 0) {
      const bit = at & this.mask;
      const word = bit >>> 5;
      const flag = 1 << (bit & 31);
      if ((this.words[word] & flag) === 0) {
        isNew = true;
        this.words[word] |= flag;
      }
    }
    // An id whose bits were all set already does not count (added twice, or a "maybe" anyway).
    if (isNew) this.added++;
  }

  mayHold(id: string): boolean {
    const [first, step] = hashesOf(id);
    for (let probe = 0, at = first; probe < PROBES; probe++, at = (at + step) | 0) {
      const bit = at & this.mask;
      if ((this.words[bit >>> 5] & (1 << (bit & 31))) === 0) return false;
    }
    return true;
  }
}

// Two 32-bit hashes of the UTF-16 units (FNV-1a and a multiplicative one, each finished with
// MurmurHash3's mix); probes step by the second (Kirsch–Mitzenmacher double hashing), made odd so
// that the probes of one id never fall on one bit.
function hashesOf(id: string): [number, number] {
  let first = 0x811c9dc5;
  let second = 0x9747b28c;
  for (let index = 0; index < id.length; index++) {
    const unit = id.charCodeAt(index);
    first = Math.imul(first ^ unit, 0x01000193);
    second = Math.imul(second ^ unit, 0x5bd1e995);
    second ^= second >>> 15;
  }
  return [mix(first), mix(second) | 1];
}

function mix(hash: number): number {
  hash ^= hash >>> 16;
  hash = Math.imul(hash, 0x85ebca6b);
  hash ^= hash >>> 13;
  hash = Math.imul(hash, 0xc2b2ae35);
  return hash ^ (hash >>> 16);
}
