export { normalizeUserProfile, type NormalizedUser, type UserProfile } from './user-profile';
export { normalizeGroupProfile, type GroupProfile, type NormalizedGroup } from './group-profile';
export { renderUser, renderUserGroups, renderGroup, versionTag, type GroupRenderInput, type ResourceMetaInput, type ScimResource, type UserRenderInput } from './render';
export { serialiseUser, splitAtBaseUrl, userJsonWithoutBaseUrl, userReadModelForms, userReadModelFormsAtVersion, jsonStringContent, type SerialisedResource, type UserReadModelForms } from './serialise';
