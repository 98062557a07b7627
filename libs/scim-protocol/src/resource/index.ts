export { normalizeUserProfile, type NormalizedUser, type UserProfile } from './user-profile';
export { normalizeGroupProfile, type GroupProfile, type NormalizedGroup } from './group-profile';
export { renderUser, renderUserGroups, renderGroup, userMeta, userResourceWithoutMeta, versionTag, type GroupRenderInput, type ResourceMetaInput, type ScimResource, type UserRenderInput } from './render';
export { searchAtVersion, storedUserForms, userJson, type StoredUserForms } from './serialise';
