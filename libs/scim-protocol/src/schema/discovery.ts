import type { AttributeDefinition, SchemaDefinition } from './attribute';
import { groupResourceSchema, type ResourceSchema } from './resource-schema';
import { accountSchemas, type AccountSchemas } from './custom-extensions';
import { ScimUrn } from '../urns';
import { BULK_LIMITS } from '../bulk/bulk-request';
import { limitsSentence } from './limits';

const resourceTypesOf = (account: AccountSchemas): readonly ResourceSchema[] => [account.user, groupResourceSchema];

/** RFC 7643 §7 attribute representation; the key order follows the RFC's §8.7 examples. */
function renderAttribute(a: AttributeDefinition): Record<string, unknown> {
  return {
    name: a.name,
    type: a.type,
    ...(a.subAttributes ? { subAttributes: a.subAttributes.map(renderAttribute) } : {}),
    multiValued: a.multiValued,
    description: [a.description, limitsSentence(a)].filter((text) => text !== '').join(' '),
    required: a.required,
    ...(a.canonicalValues ? { canonicalValues: [...a.canonicalValues] } : {}),
    caseExact: a.caseExact,
    mutability: a.mutability,
    returned: a.returned,
    uniqueness: a.uniqueness,
    ...(a.referenceTypes ? { referenceTypes: [...a.referenceTypes] } : {}),
  };
}

/** A Schema resource of /Schemas (RFC 7643 §7, RFC 7644 §4). */
export interface SchemaResource {
  readonly schemas: readonly string[];
  readonly id: string;
  readonly name: string;
  readonly description: string;
  readonly attributes: readonly Record<string, unknown>[];
  readonly meta: { readonly resourceType: 'Schema'; readonly location: string };
}

function renderSchema(schema: SchemaDefinition, baseUrl: string): SchemaResource {
  return {
    schemas: [ScimUrn.Schema],
    id: schema.id,
    name: schema.name,
    description: schema.description,
    attributes: schema.attributes.map(renderAttribute),
    meta: { resourceType: 'Schema', location: `${baseUrl}/Schemas/${schema.id}` },
  };
}

/** Every schema the account's requests are read with, for GET /Schemas: User, Enterprise User, Group, and the account's declared extensions. */
export function schemasResources(baseUrl: string, account: AccountSchemas = accountSchemas()): SchemaResource[] {
  const seen = new Set<string>();
  const out: SchemaResource[] = [];
  for (const type of resourceTypesOf(account)) {
    for (const schema of [type.schema, ...type.extensions.map((e) => e.schema)]) {
      if (seen.has(schema.id)) continue;
      seen.add(schema.id);
      out.push(renderSchema(schema, baseUrl));
    }
  }
  return out;
}

/** A ResourceType resource of /ResourceTypes (RFC 7643 §6). */
export interface ResourceTypeResource {
  readonly schemas: readonly string[];
  readonly id: string;
  readonly name: string;
  readonly endpoint: string;
  readonly description: string;
  readonly schema: string;
  readonly schemaExtensions?: readonly { readonly schema: string; readonly required: boolean }[];
  readonly meta: { readonly resourceType: 'ResourceType'; readonly location: string };
}

/** GET /ResourceTypes: User (with the Enterprise extension, not required, and the account's declared ones) and Group. */
export function resourceTypesResources(baseUrl: string, account: AccountSchemas = accountSchemas()): ResourceTypeResource[] {
  return resourceTypesOf(account).map((type) => ({
    schemas: [ScimUrn.ResourceType],
    id: type.name,
    name: type.name,
    endpoint: type.endpoint,
    description: type.description,
    schema: type.schema.id,
    ...(type.extensions.length
      ? { schemaExtensions: type.extensions.map((e) => ({ schema: e.schema.id, required: e.required })) }
      : {}),
    meta: { resourceType: 'ResourceType', location: `${baseUrl}/ResourceTypes/${type.name}` },
  }));
}

export interface ServiceProviderConfigOptions {
  /** The largest page the service returns (`filter.maxResults`, RFC 7643 §5). */
  readonly maxResults: number;
  readonly documentationUri?: string;
}

/**
 * GET /ServiceProviderConfig (RFC 7643 §5). It states what this service really implements: PATCH,
 * filtering, sorting, ETags and bulk yes; password change no. Only paging limits vary.
 */
export function serviceProviderConfig(baseUrl: string, options: ServiceProviderConfigOptions): Record<string, unknown> {
  return {
    schemas: [ScimUrn.ServiceProviderConfig],
    ...(options.documentationUri ? { documentationUri: options.documentationUri } : {}),
    patch: { supported: true },
    bulk: { supported: true, ...BULK_LIMITS },
    filter: { supported: true, maxResults: options.maxResults },
    changePassword: { supported: false },
    sort: { supported: true },
    etag: { supported: true },
    authenticationSchemes: [
      {
        type: 'oauthbearertoken',
        name: 'OAuth Bearer Token',
        description: 'Authentication with a per-account bearer token, sent as "Authorization: Bearer <token>".',
        specUri: 'https://www.rfc-editor.org/info/rfc6750',
        primary: true,
      },
    ],
    meta: { resourceType: 'ServiceProviderConfig', location: `${baseUrl}/ServiceProviderConfig` },
  };
}
