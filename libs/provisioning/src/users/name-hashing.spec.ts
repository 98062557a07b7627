import { createHmac } from 'node:crypto';
import { userNameStream } from '@scim/domain';
import { HmacNameHashing } from './name-hashing';

describe('HmacNameHashing', () => {
  // Pinned: a log written by an earlier build names its reservations so, and a key check recorded
  // in it must still match, however the HMAC's key is handed to node:crypto.
  const hashing = new HmacNameHashing('k'.repeat(43));

  it('names a reservation stream after HMAC-SHA-256 of the normalised userName under the key as UTF-8', () => {
    expect(hashing.userNameStream('alice@example.com')).toBe(userNameStream('94a07562789afd3044d4287b8897a0114beb51b0adc9d480f0f0bc17c8409ce9'));
  });

  it('records the same key check value as before', () => {
    expect(hashing.keyCheckValue()).toBe('0827313f2de02b05a60ffdbf4a8c2067d962bd06d366d71e3e04003ce8f81e1a');
  });

  it('gives another key another stream, and the same key the same stream every time', () => {
    const other = new HmacNameHashing('j'.repeat(43));
    expect(other.userNameStream('alice@example.com')).not.toBe(hashing.userNameStream('alice@example.com'));
    expect(hashing.userNameStream('alice@example.com')).toBe(hashing.userNameStream('alice@example.com'));
  });

  it('equals node:crypto HMAC-SHA-256 for keys shorter than, as long as and longer than a block, and any name', () => {
    const keys = ['', 'k', 'k'.repeat(43), 'k'.repeat(64), 'k'.repeat(65), 'ключ'.repeat(40)];
    const names = ['', 'alice@example.com', 'zoë@example.com', 'x'.repeat(300)];
    for (const key of keys) {
      const hashing = new HmacNameHashing(key);
      for (const name of names) {
        const expected = createHmac('sha256', Buffer.from(key, 'utf8')).update(name, 'utf8').digest('hex');
        expect(hashing.userNameStream(name)).toBe(userNameStream(expected));
      }
    }
  });
});
