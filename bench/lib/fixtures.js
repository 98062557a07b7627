'use strict';
// What the benchmark sends and stores: Okta-shaped SCIM user bodies (shared/IDP-NOTES.md), with
// deterministic userNames so that a load process can pick any seeded user without a list.

const USER_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:User';
const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
const GROUP_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:Group';

const GIVEN = ['Ada', 'Grace', 'Alan', 'Edsger', 'Barbara', 'Donald', 'Frances', 'Ken', 'Radia', 'Tim'];
const FAMILY = ['Lovelace', 'Hopper', 'Turing', 'Dijkstra', 'Liskov', 'Knuth', 'Allen', 'Thompson', 'Perlman', 'Berners-Lee'];

/** The userName of seeded user `i` under `prefix` (lower case: the reservation key is the same). */
function userName(prefix, i) {
  return `${prefix}.${i}@example.com`;
}

/** What Okta sends on "Push New Users": password, groups: [], locale, externalId included. */
function oktaUserBody(prefix, i) {
  const givenName = GIVEN[i % GIVEN.length];
  const familyName = FAMILY[Math.floor(i / GIVEN.length) % FAMILY.length];
  const email = userName(prefix, i);
  return {
    schemas: [USER_SCHEMA],
    userName: email,
    name: { givenName, familyName },
    emails: [{ primary: true, value: email, type: 'work' }],
    displayName: `${givenName} ${familyName}`,
    locale: 'en-US',
    externalId: `00u${prefix}${i}`,
    groups: [],
    password: 'Bench-Passw0rd!',
    active: true,
  };
}

module.exports = { USER_SCHEMA, PATCH_OP, GROUP_SCHEMA, userName, oktaUserBody };
