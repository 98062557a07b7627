/**
 * SCIM 2.0 protocol (RFC 7643, RFC 7644), pure: schemas and discovery documents, request
 * normalisation, resource rendering, filters and their store translation, PATCH interpretation,
 * attribute selection, errors and list responses. No framework, no I/O, no clock.
 */
export { ScimUrn } from './urns';
export { type Note, type NoteKind } from './notes';
export { ScimError, badRequest, toScimErrorBody, type ScimErrorBody, type ScimType } from './scim-error';
export { listResponse, listResponseFrame, type ListPaging, type ListResponse } from './list-response';
export { parseDateTime, formatDateTime, canonicalDateTime, type ParsedDateTime } from './date-time';
export * from './schema';
export * from './resource';
export * from './filter';
export * from './patch';
export * from './bulk/bulk-request';
export { selectAttributes, type AttributeSelection } from './attributes';
