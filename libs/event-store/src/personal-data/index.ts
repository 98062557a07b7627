export { EncryptingEventStore } from './encrypting-event-store';
export type { DataSubject, PersonalDataPolicy, PolicyEvent } from './personal-data-policy';
export { loadRootKey, ROOT_KEY_FILE } from './root-key';
export { SEALED_FIELD, type SealedFields, sealedFieldsOf } from './sealed-fields';
export { SqliteSubjectKeyStore, type SqliteSubjectKeyStoreOptions } from './sqlite-subject-key-store';
export { type DataKey, SubjectErasedError, SubjectKeyStore } from './subject-key-store.port';
export { KeyCache, KeyHandout, KeyPool, type KeyPoolOptions } from './key-pool';
export { accountKeyBinding, dataKeyBinding, pooledKeyBinding, decrypt as unwrapKey, encrypt as wrapKey, newKey as newDataKey } from './key-wrapping';
