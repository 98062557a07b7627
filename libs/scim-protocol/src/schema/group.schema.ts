import { attribute, complex, type SchemaDefinition } from './attribute';
import { ScimUrn } from '../urns';

/** RFC 7643 §4.2 and §8.7.1: the core Group schema. */
export const groupSchema: SchemaDefinition = {
  id: ScimUrn.Group,
  name: 'Group',
  description: 'Group',
  attributes: [
    attribute('displayName', 'A human-readable name for the Group.', { required: true }),
    complex(
      'members',
      'A list of members of the Group.',
      [
        attribute('value', 'Identifier of the member of this Group.', { mutability: 'immutable' }),
        attribute('$ref', 'The URI corresponding to a SCIM resource that is a member of this Group.', {
          type: 'reference',
          referenceTypes: ['User', 'Group'],
          mutability: 'immutable',
        }),
        // Not stored: filled on read from the member's current name, so it cannot go stale.
        attribute('display', "A human-readable name of the member: the user's current displayName, or its userName when it has none. Values sent by clients are ignored.", {
          mutability: 'readOnly',
        }),
        attribute('type', 'A label indicating the type of resource, e.g., User or Group.', {
          canonicalValues: ['User', 'Group'],
          mutability: 'immutable',
        }),
      ],
      // Membership is stored as deltas and a group body is capped by size: 50,000 members in one PUT are fine.
      { multiValued: true, maxValues: Number.POSITIVE_INFINITY },
    ),
  ],
};
