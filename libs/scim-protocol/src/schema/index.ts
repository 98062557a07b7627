export * from './attribute';
export * from './resource-schema';
export * from './discovery';
export { RESOURCE_LIMITS } from './limits';
export { userSchema, enterpriseUserSchema } from './user.schema';
export { groupSchema } from './group.schema';
export * from './custom-extensions';
