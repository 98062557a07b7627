import { MongoClient } from 'mongodb';
import { describeScratchSpaceContract } from '../testing/scratch-space.contract';
import { MongoReadStore } from './mongo-read-store';

const mongoUrl = process.env.MONGODB_URL;
let databaseCount = 0;

// Needs a replica set (transactions), e.g. MONGODB_URL=mongodb://localhost:27017/?replicaSet=rs0
describeScratchSpaceContract(
  'MongoReadStore',
  mongoUrl
    ? async () => {
        const dbName = `scratch_space_contract_${process.pid}_${++databaseCount}`;
        const store = await MongoReadStore.connect(mongoUrl, dbName);
        const admin = new MongoClient(mongoUrl);
        const db = admin.db(dbName);
        return {
          store,
          collections: async () => (await db.listCollections({}, { nameOnly: true }).toArray()).map(({ name }) => name),
          indexNames: async (collection) => (await db.collection(collection).listIndexes().toArray()).map(({ name }) => String(name)),
          teardown: async () => {
            await store.close();
            try {
              await db.dropDatabase();
            } finally {
              await admin.close();
            }
          },
        };
      }
    : undefined,
  'MONGODB_URL not set (no MongoDB server on this machine)',
);
