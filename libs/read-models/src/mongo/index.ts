// The MongoDB adapter, an entry point of its own (@scim/read-models/mongo): a process in embedded
// mode never loads the driver (with EventStoreDB's client, ~30 MB of RSS).
export { MongoReadStore } from './mongo-read-store';
export { DEFAULT_MONGO_DATABASE, mongoDatabaseOf } from './mongo-url';
export { MongoSubjectKeyStore } from './mongo-subject-key-store';
