import { existsSync } from 'node:fs';
import { join } from 'node:path';
import {
  carriedOverReservation,
  currentSchemaVersion,
  nameHashingStream,
  StreamPrefix,
  upcastEvent,
  type UserNameEvent,
  type UserNameHashingAdopted,
} from '@scim/domain';
import { EventStore, newEventId, WrongExpectedRevisionError, type NewEvent, type RecordedEvent } from '@scim/event-store';
import { HmacNameHashing } from '@scim/provisioning';
import { type AppConfig, ConfigError } from '../config/app-config';
import { resolvePlatformKey } from '../config/operator-key';

export const NAME_HASHING_KEY_FILE = 'name-hashing.key';

const UPGRADE_PROCESS = 'name-hashing-upgrade';

/**
 * The key (NAME_HASHING_KEY, else DATA_DIR/name-hashing.key, generated with the data-folder lock
 * held), checked against the one this log's names were hashed with. A log written before keyed
 * names is upgraded first: every name its legacy `username-<name>` streams still hold is reserved
 * again under the keyed stream, then the adoption is recorded. Runs before any request is served.
 */
export async function openNameHashing(config: AppConfig, store: EventStore, now: () => Date = () => new Date()): Promise<HmacNameHashing> {
  const adopted = await adoptedKeyCheck(store);
  const keyFile = join(config.dataDir, NAME_HASHING_KEY_FILE);
  if (adopted !== undefined && !config.nameHashingKey && config.storage.kind === 'embedded' && !existsSync(keyFile)) {
    // A new key would silently let every name already reserved be reserved again.
    throw new ConfigError(`${keyFile} is missing, but this event log's userNames were hashed with it: restore it from a backup of DATA_DIR`);
  }
  const hashing = new HmacNameHashing(resolvePlatformKey(config, { variable: 'NAME_HASHING_KEY', configured: config.nameHashingKey, file: NAME_HASHING_KEY_FILE }).key);
  if (adopted === undefined) await adopt(store, hashing, now().toISOString());
  const check = adopted ?? (await adoptedKeyCheck(store));
  if (check !== hashing.keyCheckValue()) {
    throw new ConfigError('The userName hashing key (NAME_HASHING_KEY or DATA_DIR/name-hashing.key) is not the one this event log was written with: set the original key');
  }
  return hashing;
}

async function adoptedKeyCheck(store: EventStore): Promise<string | undefined> {
  const [adopted] = await store.readStream(nameHashingStream);
  return adopted ? (adopted.data as UserNameHashingAdopted['data']).keyCheckValue : undefined;
}

/**
 * Carries the legacy reservations over (idempotent: a keyed stream that exists already was written
 * by an earlier, interrupted run or by another replica starting at the same time), then records the
 * adoption. The legacy streams stay in the log, read by nothing, until the log is migrated.
 */
async function adopt(store: EventStore, hashing: HmacNameHashing, at: string): Promise<void> {
  const correlationId = newEventId();
  const metadata = (accountId?: string, type = 'UserNameReserved') => ({
    ...(accountId ? { accountId } : {}),
    actor: { kind: 'system', process: UPGRADE_PROCESS },
    occurredAt: at,
    correlationId,
    causationId: correlationId,
    schemaVersion: currentSchemaVersion(type),
  });
  const legacy = await legacyReservations(store);
  let carried = 0;
  for (const [userNameKey, history] of legacy) {
    const reserved = carriedOverReservation(history);
    if (!reserved) continue;
    const event: NewEvent = { id: newEventId(), type: reserved.type, data: reserved.data, metadata: metadata(reserved.data.accountId) };
    if (await appendOnce(store, hashing.userNameStream(userNameKey), event)) carried += 1;
  }
  const adopted: UserNameHashingAdopted = {
    type: 'UserNameHashingAdopted',
    data: { keyCheckValue: hashing.keyCheckValue(), legacyReservationsCarriedOver: carried, adoptedAt: at },
  };
  await appendOnce(store, nameHashingStream, { id: newEventId(), type: adopted.type, data: adopted.data, metadata: metadata(undefined, adopted.type) });
}

/** Every legacy reservation stream's history, by the userNameKey its name embeds. */
async function legacyReservations(store: EventStore): Promise<Map<string, UserNameEvent[]>> {
  const byKey = new Map<string, UserNameEvent[]>();
  for await (const batch of store.readAll({ streamPrefixes: [StreamPrefix.legacyUserName] })) {
    for (const recorded of batch) {
      const key = recorded.streamId.slice(StreamPrefix.legacyUserName.length);
      const history = byKey.get(key) ?? [];
      history.push(toUserNameEvent(recorded));
      byKey.set(key, history);
    }
  }
  return byKey;
}

/** True when appended; false when the stream was there already. */
async function appendOnce(store: EventStore, streamId: string, event: NewEvent): Promise<boolean> {
  try {
    await store.append(streamId, [event], 'no_stream');
    return true;
  } catch (error) {
    if (error instanceof WrongExpectedRevisionError) return false;
    throw error;
  }
}

const toUserNameEvent = (recorded: RecordedEvent): UserNameEvent =>
  upcastEvent({ type: recorded.type, data: recorded.data, schemaVersion: recorded.metadata.schemaVersion as number | undefined }) as UserNameEvent;
