import { randomUUID } from 'node:crypto';
import { SubjectErasedError, type SubjectKeyStore } from '../personal-data/subject-key-store.port';

export interface SubjectKeyStoreFixture {
  readonly store: SubjectKeyStore;
  /** The same keys opened again, as after a restart (fresh caches). */
  readonly reopen: () => Promise<SubjectKeyStore>;
  /** What a power loss may do (the store closed first): every key forgets whose it is. */
  readonly loseBindings: () => Promise<void>;
}

/** What every key store must do: run against each adapter (SQLite here; MongoDB or a KMS later). */
export function describeSubjectKeyStoreContract(adapterName: string, setup: () => Promise<SubjectKeyStoreFixture>): void {
  describe(`SubjectKeyStore contract: ${adapterName}`, () => {
    let fixture: SubjectKeyStoreFixture;
    const opened: SubjectKeyStore[] = [];

    beforeEach(async () => {
      fixture = await setup();
      opened.push(fixture.store);
    });

    afterEach(async () => {
      await Promise.all(opened.splice(0).map((store) => store.close()));
    });

    const subject = (accountId = randomUUID()) => ({ accountId, subjectId: randomUUID() });

    it('gives a subject one key, the same on every ask, and a 256-bit one', async () => {
      const alice = subject();
      const [first, second] = await Promise.all([fixture.store.keyFor(alice), fixture.store.keyFor(alice)]);
      expect(first.key).toHaveLength(32);
      expect(second).toEqual(first);
      expect(await fixture.store.keyFor(alice)).toEqual(first);
      expect(await fixture.store.keyById(first.keyId)).toEqual(first.key);
      expect(await fixture.store.liveKeyIdOf(alice.subjectId)).toBe(first.keyId);
    });

    it('gives each subject its own key, also within one account', async () => {
      const accountId = randomUUID();
      const keys = await Promise.all([1, 2, 3].map(() => fixture.store.keyFor(subject(accountId))));
      expect(new Set(keys.map((k) => k.keyId)).size).toBe(3);
      expect(new Set(keys.map((k) => k.key.toString('hex'))).size).toBe(3);
    });

    it('keeps keys across a restart', async () => {
      const alice = subject();
      const key = await fixture.store.keyFor(alice);
      await fixture.store.close();
      const reopened = await fixture.reopen();
      opened.push(reopened);
      expect(await reopened.keyById(key.keyId)).toEqual(key.key);
      expect(await reopened.keyFor(alice)).toEqual(key);
    });

    it('destroys a subject’s key for good: not found, never made again, also after a restart', async () => {
      const alice = subject();
      const bob = subject();
      const aliceKey = await fixture.store.keyFor(alice);
      const bobKey = await fixture.store.keyFor(bob);

      expect(await fixture.store.destroy(alice.subjectId)).toEqual([aliceKey.keyId]);
      expect(await fixture.store.keyById(aliceKey.keyId)).toBeUndefined();
      expect(await fixture.store.liveKeyIdOf(alice.subjectId)).toBeUndefined();
      await expect(fixture.store.keyFor(alice)).rejects.toBeInstanceOf(SubjectErasedError);
      // Destroying again destroys nothing more.
      expect(await fixture.store.destroy(alice.subjectId)).toEqual([]);

      const reopened = await fixture.reopen();
      opened.push(reopened);
      expect(await reopened.keyById(aliceKey.keyId)).toBeUndefined();
      await expect(reopened.keyFor(alice)).rejects.toBeInstanceOf(SubjectErasedError);
      // Another subject is untouched.
      expect(await reopened.keyById(bobKey.keyId)).toEqual(bobKey.key);
    });

    it('remembers a subject erased before it ever had a key', async () => {
      const carol = subject();
      expect(await fixture.store.destroy(carol.subjectId)).toEqual([]);
      await expect(fixture.store.keyFor(carol)).rejects.toBeInstanceOf(SubjectErasedError);
    });

    it('gives no key to a subject erased while its key was on its way, neither then nor later', async () => {
      // A new account's pool is empty: the create's key is still being made when the erasure comes.
      const dave = subject();
      const giving = fixture.store.keyFor(dave);
      const erased = fixture.store.destroy(dave.subjectId);

      await expect(giving).rejects.toBeInstanceOf(SubjectErasedError);
      await erased;
      await expect(fixture.store.keyFor(dave)).rejects.toBeInstanceOf(SubjectErasedError);
      expect(await fixture.store.liveKeyIdOf(dave.subjectId)).toBeUndefined();
    });

    it('binds a key whose binding a crash lost to the subject whose event names it, so erasure destroys it too', async () => {
      const alice = subject();
      const before = await fixture.store.keyFor(alice);
      await fixture.store.close();
      await fixture.loseBindings();
      const reopened = await fixture.reopen();
      opened.push(reopened);

      // The key still opens what it sealed; the lost binding means a new key for what comes next.
      expect(await reopened.keyById(before.keyId)).toEqual(before.key);
      const after = await reopened.keyFor(alice);
      expect(after.keyId).not.toBe(before.keyId);
      // Reading alice's events (as an erasure does first) names the old key with her as its subject.
      expect(await reopened.keyById(before.keyId, alice)).toEqual(before.key);

      expect([...(await reopened.destroy(alice.subjectId))].sort()).toEqual([before.keyId, after.keyId].sort());
      expect(await reopened.keyById(before.keyId, alice)).toBeUndefined();
      expect(await reopened.keyById(after.keyId, alice)).toBeUndefined();
    });

    it('knows no key it never gave', async () => {
      expect(await fixture.store.keyById(randomUUID())).toBeUndefined();
      expect(await fixture.store.liveKeyIdOf(randomUUID())).toBeUndefined();
    });
  });
}
