import {
  decideUserName,
  manualUserToConvert,
  userDecider,
  userNameDecider,
  userNameKey,
  userStream,
  DomainError,
  type ExistingUser,
  type HolderStatus,
  type UserCommand,
  type UserProfile,
  type UserEvent,
  type UserSource,
  type UserState,
} from '@scim/domain';
import {
  aggregateStream,
  type CommandResult,
  type Decision,
  type EventStore,
  handleCommand,
  type HandleCommandOptions,
  newEventId,
} from '@scim/event-store';
import type { SubjectKeyStore } from '@scim/event-store/personal-data';
import type { CommandContext } from '../command-context';
import { assertFitsOneAppend, metadataFor, withNotes } from '../event-metadata';
import { KeyedMutex } from '../keyed-mutex';
import type { ProvisioningLog } from '../provisioning-log';
import type { ReadModelFreshness } from '../read-model-freshness';
import { streamModel } from '../stream-model';
import type { NameHashing } from './name-hashing';

export interface WrittenUser {
  readonly user: ExistingUser;
  /** Stream revision after the write: the resource's version. */
  readonly revision: number;
}

/** The desired profile and lifecycle, computed from the current user (PUT body, or PATCH applied). */
export type UserChange = (current: ExistingUser) => { profile: UserProfile; active?: boolean | null; notes: readonly string[] };

interface Reservation {
  readonly position: number;
  /** A manual user of this account holds the name: convert it instead of creating a user. */
  readonly convert?: string;
}

const users = streamModel(userDecider);
const userNames = streamModel(userNameDecider);

/**
 * The write side of SCIM users: userName reservations first (the cross-account lock), then the
 * user's own stream, each through handleCommand (an expected revision on every append, one retry
 * policy). Responses come from this state, never from a read model.
 *
 * Writes to one user take turns in this process: an IdP's parallel PATCHes (Entra sends them) are
 * all applied instead of all but one losing the race for the same revision.
 */
export class UserWriteModel {
  private readonly inTurn = new KeyedMutex();

  constructor(
    private readonly store: EventStore,
    private readonly freshness: ReadModelFreshness,
    private readonly log: ProvisioningLog,
    private readonly names: NameHashing,
    private readonly subjectKeys: SubjectKeyStore,
  ) {}

  /**
   * SCIM create with user matching (shared/DESIGN.md §2): a new name creates a user; a name a
   * manual user of this account holds converts that user (same id); any other holder is a 409,
   * and a name held by another account is also recorded in this account's provisioning history.
   */
  provision(context: CommandContext, profile: UserProfile, active: boolean, notes: readonly string[]): Promise<WrittenUser> {
    const { accountId, at } = context;
    return this.create(context, profile, 'scim', notes, (userId, converting) =>
      converting ? { type: 'ConvertUserToScim', accountId, profile, active, at } : { type: 'ProvisionUser', userId, accountId, profile, active, at },
    );
  }

  /** An administrator's manual user: reserves the name like any other (uniqueness is global). */
  createManual(context: CommandContext, profile: UserProfile): Promise<WrittenUser> {
    return this.create(context, profile, 'manual', [], (userId) => ({ type: 'CreateManualUser', userId, accountId: context.accountId, profile, at: context.at }));
  }

  /** Any other command on one user's stream (roles), settled before returning unless told not to. */
  async execute(context: CommandContext, userId: string, command: UserCommand, options: { settle?: boolean } = {}): Promise<WrittenUser> {
    const result = await this.inTurn.run(userId, () => this.onUser(context, userId, deciding(command)));
    if (options.settle !== false) await this.freshness.settle(result.position);
    return written(result);
  }

  /**
   * Applies a change computed from the freshest state. Without If-Match a concurrent write makes
   * it re-read and recompute (so a PATCH never undoes another); with If-Match it is a 412. A new
   * userName is reserved before the user's append and the old one released after it.
   */
  async update(context: CommandContext, userId: string, ifMatch: number | undefined, change: UserChange): Promise<WrittenUser> {
    let renamedFrom: string | undefined;
    let reservedAt = 0;
    const decide = async (state: UserState) => {
      const current = state as ExistingUser;
      const desired = change(current);
      assertFitsOneAppend(userStream(userId), desired.profile);
      const oldKey = userNameKey(current.profile.userName);
      renamedFrom = userNameKey(desired.profile.userName) !== oldKey ? oldKey : undefined;
      if (renamedFrom) reservedAt = (await this.reserveUserName(context, desired.profile.userName, userId)).position;
      return deciding({ type: 'UpdateUser', accountId: context.accountId, profile: desired.profile, active: desired.active, at: context.at }, desired.notes)(state);
    };
    const result = await this.inTurn.run(userId, () => this.onUser(context, userId, decide, { ifMatch, requireState: (state) => requireLive(state, context) }));
    const releasedAt = renamedFrom ? await this.releaseUserName(context, renamedFrom, userId, 'renamed') : 0;
    await this.freshness.settle(Math.max(reservedAt, result.position, releasedAt));
    return written(result);
  }

  /**
   * Erasure (docs/PRIVACY.md): records UserErased (deprovisioning a live user first and releasing
   * its userName), then destroys the user's data key, so every personal value of its history reads
   * as `[erased]`. The key goes only once the erasure is recorded; asked again, it finishes a
   * destruction that a crash interrupted.
   */
  async erase(context: CommandContext, userId: string, reason: string): Promise<{ readonly erasedAt: string; readonly keyIds: readonly string[] }> {
    const keyId = (await this.subjectKeys.liveKeyIdOf(userId)) ?? null;
    const erase = deciding({ type: 'EraseUser', accountId: context.accountId, reason, keyId, at: context.at });
    const result = await this.inTurn.run(userId, () => this.onUser(context, userId, erase));
    const deprovisioned = result.newEvents.find((e) => e.type === 'UserDeprovisioned');
    const releasedAt = deprovisioned ? await this.releaseUserName(context, userNameKey(deprovisioned.data.userName), userId, 'deprovisioned') : 0;
    const keyIds = await this.subjectKeys.destroy(userId);
    await this.freshness.settle(Math.max(result.position, releasedAt));
    return { erasedAt: (result.state as ExistingUser).erasedAt ?? context.at, keyIds };
  }

  async deprovision(context: CommandContext, userId: string, ifMatch: number | undefined): Promise<void> {
    const deprovision = deciding({ type: 'DeprovisionUser', accountId: context.accountId, at: context.at });
    const result = await this.inTurn.run(userId, () => this.onUser(context, userId, deprovision, { ifMatch }));
    const deprovisioned = result.newEvents.find((e) => e.type === 'UserDeprovisioned');
    const releasedAt = deprovisioned ? await this.releaseUserName(context, userNameKey(deprovisioned.data.userName), userId, 'deprovisioned') : 0;
    await this.freshness.settle(Math.max(result.position, releasedAt));
  }

  /**
   * Reserves the name, then writes the user's first events (or, for the IdP, converts the manual
   * user holding the name). Only the IdP's refusals go into the provisioning history.
   */
  private async create(
    context: CommandContext,
    profile: UserProfile,
    by: UserSource,
    notes: readonly string[],
    command: (userId: string, converting: boolean) => UserCommand,
  ): Promise<WrittenUser> {
    const newUserId = newEventId();
    assertFitsOneAppend(userStream(newUserId), profile);
    let reservation: Reservation;
    try {
      reservation = await this.reserveUserName(context, profile.userName, newUserId, by === 'scim');
    } catch (error) {
      if (by === 'scim' && error instanceof DomainError && error.code === 'username_held_by_another_account') await this.recordRejection(context);
      throw error;
    }
    const userId = reservation.convert ?? newUserId;
    const result = await this.onUser(context, userId, deciding(command(userId, reservation.convert !== undefined), notes), { newStream: !reservation.convert });
    await this.freshness.settle(Math.max(reservation.position, result.position));
    return written(result);
  }

  private onUser(context: CommandContext, userId: string, decide: (state: UserState) => Decision<UserEvent>, options: Partial<HandleCommandOptions<UserEvent, UserState>> = {}) {
    return handleCommand(this.store, userStream(userId), users, decide, { metadata: metadataFor(context), ...options });
  }

  /** Names no userName (docs/PRIVACY.md): the request id in its metadata says which create it was. */
  private recordRejection(context: CommandContext): Promise<void> {
    return this.log.recordRejection(context, {
      type: 'ProvisioningRejected',
      data: { accountId: context.accountId, resourceType: 'User', reason: 'username-held-by-another-account', rejectedAt: context.at },
    });
  }

  /**
   * Reserves (or confirms) the name for `userId`; or, on a SCIM create, finds the manual user of
   * this account to convert instead. The decision looks at the holder's own stream first.
   */
  private async reserveUserName(context: CommandContext, userName: string, userId: string, convertManualUser = false): Promise<Reservation> {
    const key = userNameKey(userName);
    let convert: string | undefined;
    const result = await handleCommand(
      this.store,
      this.names.userNameStream(key),
      userNames,
      async (state) => {
        const holder: HolderStatus = state.status === 'reserved' && state.userId !== userId ? await this.holderStatus(state.userId) : { exists: false };
        convert = convertManualUser ? manualUserToConvert(state, holder, context.accountId, key) : undefined;
        if (convert) return [];
        return decideUserName({ type: 'ReserveUserName', userNameKey: key, accountId: context.accountId, userId, holder, at: context.at }, state);
      },
      // Most names are new: reserved without reading first (no_stream guards it; a held name is read on the retry).
      { metadata: metadataFor(context), newStream: true },
    );
    return { position: result.position, convert };
  }

  private async releaseUserName(context: CommandContext, key: string, userId: string, reason: 'renamed' | 'deprovisioned'): Promise<number> {
    const release = { type: 'ReleaseUserName', userId, reason, at: context.at } as const;
    const result = await handleCommand(this.store, this.names.userNameStream(key), userNames, (state) => decideUserName(release, state), { metadata: metadataFor(context) });
    return result.position;
  }

  private async holderStatus(holderId: string): Promise<HolderStatus> {
    const { state } = await aggregateStream(this.store, userStream(holderId), users);
    if (state.status === 'absent') return { exists: false };
    return { exists: true, userNameKey: userNameKey(state.profile.userName), deprovisioned: state.status === 'deprovisioned', source: state.source };
  }
}

/** The decision of a user command, its events carrying the request's normalisation notes. */
function deciding(command: UserCommand, notes: readonly string[] = []): (state: UserState) => Decision<UserEvent> {
  return (state) => withNotes(userDecider.decide(command, state), notes);
}

function written(result: CommandResult<UserState, UserEvent>): WrittenUser {
  return { user: result.state as ExistingUser, revision: result.revision };
}

function requireLive(state: UserState, context: CommandContext): void {
  if (state.status === 'absent' || state.status === 'deprovisioned' || state.accountId !== context.accountId) {
    throw new DomainError('user_not_found', 'User not found');
  }
}
