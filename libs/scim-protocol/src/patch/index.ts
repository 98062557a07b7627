export { parsePatchRequest, type PatchOperation, type PatchOpName } from './patch-request';
export { applyUserPatch, type PatchedUser } from './user-patch';
export { planGroupPatch, type GroupPatchPlan } from './group-patch';
