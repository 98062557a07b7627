/** Schema and message URNs of RFC 7643 §8.7 and RFC 7644 §3. */
export const ScimUrn = {
  User: 'urn:ietf:params:scim:schemas:core:2.0:User',
  EnterpriseUser: 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User',
  Group: 'urn:ietf:params:scim:schemas:core:2.0:Group',
  Schema: 'urn:ietf:params:scim:schemas:core:2.0:Schema',
  ResourceType: 'urn:ietf:params:scim:schemas:core:2.0:ResourceType',
  ServiceProviderConfig: 'urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig',
  ListResponse: 'urn:ietf:params:scim:api:messages:2.0:ListResponse',
  PatchOp: 'urn:ietf:params:scim:api:messages:2.0:PatchOp',
  Error: 'urn:ietf:params:scim:api:messages:2.0:Error',
  BulkRequest: 'urn:ietf:params:scim:api:messages:2.0:BulkRequest',
  BulkResponse: 'urn:ietf:params:scim:api:messages:2.0:BulkResponse',
} as const;
