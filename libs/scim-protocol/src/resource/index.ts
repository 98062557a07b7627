export { normalizeUserProfile, type NormalizedUser, type UserProfile } from './user-profile';
export { normalizeGroupProfile, type GroupProfile, type NormalizedGroup } from './group-profile';
export { renderUser, renderGroup, type GroupRenderInput, type ResourceMetaInput, type ScimResource, type UserRenderInput } from './render';
export { serialiseUser, splitAtBaseUrl, userJsonWithoutBaseUrl, userReadModelForms, jsonStringContent, type SerialisedResource } from './serialise';
