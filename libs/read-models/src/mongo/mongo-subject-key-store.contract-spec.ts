import { randomBytes, randomUUID } from 'node:crypto';
import { describeSubjectKeyStoreContract } from '@scim/event-store/testing/subject-key-store.contract';
import { MongoClient } from 'mongodb';
import { MongoSubjectKeyStore } from './mongo-subject-key-store';

const mongoUrl = process.env.MONGODB_URL;

// Needs a MongoDB server, e.g. MONGODB_URL=mongodb://localhost:27017/?replicaSet=rs0 (CI's distributed job).
if (mongoUrl) {
  describeSubjectKeyStoreContract('MongoDB', async () => {
    const database = `keys-contract-${randomUUID()}`;
    const rootKey = randomBytes(32);
    return {
      store: await MongoSubjectKeyStore.connect(mongoUrl, rootKey, database),
      reopen: () => MongoSubjectKeyStore.connect(mongoUrl, rootKey, database),
      // Bindings are written without waiting for a majority: a failover may lose them.
      loseBindings: async () => {
        const client = await MongoClient.connect(mongoUrl);
        try {
          await client.db(database).collection('privacy_data_keys').updateMany({}, { $set: { subjectId: null } });
        } finally {
          await client.close();
        }
      },
    };
  });
} else {
  describe('SubjectKeyStore contract: MongoDB', () => {
    it.skip('MONGODB_URL not set (no MongoDB server on this machine)', () => undefined);
  });
}
