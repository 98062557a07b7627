import { attribute, complex, type AttributeDefinition } from './attribute';

/**
 * RFC 7643 §3 and §3.1: attributes every resource carries. They are not part of any schema's
 * `attributes` list in /Schemas (§8.7.1 omits them), but they are filterable and selectable.
 */
export function commonAttributes(resourceType: string): readonly AttributeDefinition[] {
  return [
    attribute('schemas', 'The schema URIs of the resource.', {
      type: 'reference',
      multiValued: true,
      required: true,
      caseExact: true,
      mutability: 'readOnly',
      returned: 'always',
      referenceTypes: ['uri'],
    }),
    attribute('id', 'Unique identifier for the SCIM resource as defined by the service provider.', {
      caseExact: true,
      mutability: 'readOnly',
      returned: 'always',
      uniqueness: 'server',
    }),
    attribute('externalId', 'An identifier for the resource as defined by the provisioning client.', { caseExact: true }),
    complex(
      'meta',
      'Resource metadata maintained by the service provider.',
      [
        attribute('resourceType', 'The name of the resource type of the resource.', {
          caseExact: true,
          mutability: 'readOnly',
          canonicalValues: [resourceType],
        }),
        attribute('created', 'The DateTime that the resource was added to the service provider.', {
          type: 'dateTime',
          mutability: 'readOnly',
        }),
        attribute('lastModified', 'The most recent DateTime that the details of this resource were updated.', {
          type: 'dateTime',
          mutability: 'readOnly',
        }),
        attribute('location', 'The URI of the resource being returned.', {
          type: 'reference',
          referenceTypes: ['uri'],
          caseExact: true,
          mutability: 'readOnly',
        }),
        attribute('version', 'The version of the resource being returned (its ETag).', { caseExact: true, mutability: 'readOnly' }),
      ],
      { mutability: 'readOnly' },
    ),
  ];
}
