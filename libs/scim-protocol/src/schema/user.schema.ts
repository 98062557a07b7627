import { attribute, complex, multiValued, type SchemaDefinition } from './attribute';
import { ScimUrn } from '../urns';
import { RESOURCE_LIMITS } from './limits';

/** RFC 7643 §4.1 and §8.7.1: the core User schema. */
export const userSchema: SchemaDefinition = {
  id: ScimUrn.User,
  name: 'User',
  description: 'User Account',
  attributes: [
    attribute('userName', 'Unique identifier for the User, typically used by the user to directly authenticate to the service provider.', {
      required: true,
      uniqueness: 'server',
      maxLength: RESOURCE_LIMITS.maxUserNameLength,
    }),
    complex('name', "The components of the user's real name.", [
      attribute('formatted', 'The full name, including all middle names, titles, and suffixes as appropriate, formatted for display.'),
      attribute('familyName', 'The family name of the User, or last name in most Western languages.'),
      attribute('givenName', 'The given name of the User, or first name in most Western languages.'),
      attribute('middleName', 'The middle name(s) of the User.'),
      attribute('honorificPrefix', "The honorific prefix(es) of the User, or title in most Western languages (e.g., 'Ms.')."),
      attribute('honorificSuffix', "The honorific suffix(es) of the User, or suffix in most Western languages (e.g., 'III')."),
    ]),
    attribute('displayName', 'The name of the User, suitable for display to end-users.'),
    attribute('nickName', 'The casual way to address the user in real life.'),
    attribute('profileUrl', "A fully qualified URL pointing to a page representing the User's online profile.", {
      type: 'reference',
      referenceTypes: ['external'],
    }),
    attribute('title', "The user's title, such as 'Vice President'."),
    attribute('userType', 'Used to identify the relationship between the organization and the user.'),
    attribute('preferredLanguage', "Indicates the User's preferred written or spoken language (RFC 7231 Accept-Language format)."),
    attribute('locale', "Used to indicate the User's default location for purposes of localizing items such as currency and dates."),
    attribute('timezone', "The User's time zone in the 'Olson' time zone database format, e.g., 'America/Los_Angeles'."),
    attribute(
      'active',
      "A Boolean value indicating the User's administrative status. True when omitted on create. Removing it (PATCH remove, RFC 7644 §3.5.2.2) leaves it unassigned: the user is then returned without it, and this service treats it as inactive (no access) until a value is given again.",
      { type: 'boolean' },
    ),
    attribute('password', "The User's cleartext password. Never returned; this service never stores it.", {
      mutability: 'writeOnly',
      returned: 'never',
    }),
    multiValued('emails', 'Email addresses for the user.', ['work', 'home', 'other']),
    multiValued('phoneNumbers', 'Phone numbers for the User.', ['work', 'home', 'mobile', 'fax', 'pager', 'other']),
    multiValued('ims', 'Instant messaging addresses for the User.', ['aim', 'gtalk', 'icq', 'xmpp', 'msn', 'skype', 'qq', 'yahoo']),
    multiValued('photos', 'URLs of photos of the User.', ['photo', 'thumbnail'], { type: 'reference', referenceTypes: ['external'] }),
    complex(
      'addresses',
      'A physical mailing address for this User.',
      [
        attribute('formatted', 'The full mailing address, formatted for display or use with a mailing label.'),
        attribute('streetAddress', 'The full street address component.'),
        attribute('locality', 'The city or locality component.'),
        attribute('region', 'The state or region component.'),
        attribute('postalCode', 'The zip code or postal code component.'),
        attribute('country', 'The country name component (ISO 3166-1 alpha-2).'),
        attribute('type', "A label indicating the address' function.", { canonicalValues: ['work', 'home', 'other'] }),
        attribute('primary', 'Whether this is the primary address.', { type: 'boolean' }),
      ],
      { multiValued: true },
    ),
    complex(
      'groups',
      'A list of groups to which the user belongs, either through direct membership or through nested groups.',
      [
        attribute('value', "The identifier of the User's group.", { mutability: 'readOnly' }),
        attribute('$ref', "The URI of the corresponding 'Group' resource to which the user belongs.", {
          type: 'reference',
          referenceTypes: ['User', 'Group'],
          mutability: 'readOnly',
        }),
        attribute('display', 'A human-readable name, primarily used for display purposes.', { mutability: 'readOnly' }),
        attribute('type', "A label indicating the attribute's function, e.g., 'direct' or 'indirect'.", {
          canonicalValues: ['direct', 'indirect'],
          mutability: 'readOnly',
        }),
      ],
      { multiValued: true, mutability: 'readOnly' },
    ),
    multiValued('entitlements', 'A list of entitlements for the User that represent a thing the User has.', []),
    multiValued('roles', "A list of roles for the User that collectively represent who the User is, e.g., 'Student', 'Faculty'.", []),
    // Binary values are base64: case matters, so they are compared exactly.
    multiValued('x509Certificates', 'A list of certificates issued to the User.', [], { type: 'binary', caseExact: true }),
  ],
};

/** RFC 7643 §4.3 and §8.7.1: the Enterprise User extension. */
export const enterpriseUserSchema: SchemaDefinition = {
  id: ScimUrn.EnterpriseUser,
  name: 'EnterpriseUser',
  description: 'Enterprise User',
  attributes: [
    attribute('employeeNumber', 'Numeric or alphanumeric identifier assigned to a person, typically based on order of hire or association with an organization.'),
    attribute('costCenter', 'Identifies the name of a cost center.'),
    attribute('organization', 'Identifies the name of an organization.'),
    attribute('division', 'Identifies the name of a division.'),
    attribute('department', 'Identifies the name of a department.'),
    complex("manager", "The User's manager.", [
      attribute('value', 'The id of the SCIM resource representing the User\'s manager.'),
      attribute('$ref', 'The URI of the SCIM resource representing the User\'s manager.', { type: 'reference', referenceTypes: ['User'] }),
      attribute('displayName', "The displayName of the User's manager.", { mutability: 'readOnly' }),
    ]),
  ],
};
