'use strict';
// The events a POST /Users writes, produced by the same functions the service uses: the protocol
// lib normalizes the Okta body, the domain deciders decide the reservation and the provisioning,
// and the metadata has the shape the write side gives it (libs/provisioning/src/event-metadata.ts,
// libs/provisioning/src/users/user-write-model.ts).
const { randomUUID } = require('node:crypto');
const { readFileSync } = require('node:fs');
const { join } = require('node:path');
const dist = require('./dist');
const { oktaUserBody } = require('./fixtures');

function userEventFactory({ accountId, tokenId, dataDir }) {
  const domain = dist.domain();
  const { normalizeUserProfile } = dist.protocol();
  // Reservation streams named with the folder's key (DATA_DIR/name-hashing.key), as the service names them.
  const { HmacNameHashing } = dist.provisioning();
  const names = new HmacNameHashing(readFileSync(join(dataDir, 'name-hashing.key'), 'utf8').trim());
  // Event and user ids as the write side mints them (time-ordered).
  const { newEventId } = dist.eventStore();
  const actor = { kind: 'scim-token', tokenId };

  const metadata = (type, at, requestId, normalizations) => ({
    accountId,
    actor,
    occurredAt: at,
    correlationId: requestId,
    causationId: requestId,
    schemaVersion: domain.currentSchemaVersion(type),
    ...(normalizations.length > 0 ? { normalizations } : {}),
  });
  const toNew = (event, at, requestId, normalizations) => ({
    id: newEventId(),
    type: event.type,
    data: event.data,
    metadata: metadata(event.type, at, requestId, normalizations),
  });

  /** The appends of one create: [stream, events, expected revision], in the order the service makes them. */
  return function appendsForUser(prefix, i, at) {
    const { profile, active, notes } = normalizeUserProfile(oktaUserBody(prefix, i));
    const userId = newEventId();
    const requestId = randomUUID();
    const key = domain.userNameKey(profile.userName);
    const reserved = domain.decideUserName(
      { type: 'ReserveUserName', userNameKey: key, userName: profile.userName, accountId, userId, holder: { exists: false }, at },
      domain.initialUserNameState,
    );
    const provisioned = domain.decideUser(
      { type: 'ProvisionUser', userId, accountId, profile, active: active ?? true, at },
      domain.initialUserState,
    );
    return {
      userId,
      appends: [
        [names.userNameStream(key), reserved.map((event) => toNew(event, at, requestId, [])), 'no_stream'],
        [domain.userStream(userId), provisioned.map((event) => toNew(event, at, requestId, notes)), 'no_stream'],
      ],
    };
  };
}

module.exports = { userEventFactory };
