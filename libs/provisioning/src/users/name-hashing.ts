import { createHmac, createSecretKey, type KeyObject } from 'node:crypto';
import { userNameStream } from '@scim/domain';

const KEY_CHECK_TEXT = 'scim-provisioning/name-hashing/key-check';

/**
 * Names userName reservation streams after a keyed hash of the name (docs/PRIVACY.md), so that
 * the log's stream names tell nobody which names are in use while uniqueness still holds across
 * accounts. A port: embedded mode keeps its key in DATA_DIR, distributed mode is given one.
 */
export abstract class NameHashing {
  /** The reservation stream of a `userNameKey` (the normalised userName). */
  abstract userNameStream(userNameKey: string): string;
}

/** HMAC-SHA-256 with a service-wide key: the same name gives the same stream in every account and replica. */
export class HmacNameHashing extends NameHashing {
  // Imported once: createHmac given the raw string imports it again at every call.
  private readonly key: KeyObject;

  constructor(key: string) {
    super();
    this.key = createSecretKey(Buffer.from(key, 'utf8'));
  }

  userNameStream(userNameKey: string): string {
    return userNameStream(this.hmac(userNameKey));
  }

  /** What the log records of the key: an HMAC of a fixed text, which tells a wrong key without revealing this one. */
  keyCheckValue(): string {
    return this.hmac(KEY_CHECK_TEXT);
  }

  private hmac(text: string): string {
    return createHmac('sha256', this.key).update(text, 'utf8').digest('hex');
  }
}
