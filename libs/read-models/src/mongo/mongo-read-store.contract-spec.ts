import { MongoClient } from 'mongodb';
import { describeReadStoreContract, skipReadStoreContract } from '../testing/read-store.contract';
import { MongoReadStore } from './mongo-read-store';

const mongoUrl = process.env.MONGODB_URL;
let databaseCount = 0;

// Needs a replica set (transactions), e.g. MONGODB_URL=mongodb://localhost:27017/?replicaSet=rs0
describeReadStoreContract(
  'MongoReadStore',
  mongoUrl
    ? async () => {
        const dbName = `read_store_contract_${process.pid}_${++databaseCount}`;
        const store = await MongoReadStore.connect(mongoUrl, dbName);
        return {
          store,
          teardown: async () => {
            await store.close();
            const admin = new MongoClient(mongoUrl);
            try {
              await admin.db(dbName).dropDatabase();
            } finally {
              await admin.close();
            }
          },
        };
      }
    : skipReadStoreContract('MONGODB_URL not set (no MongoDB server on this machine)'),
);
