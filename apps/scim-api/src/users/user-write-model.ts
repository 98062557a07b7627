import { Injectable } from '@nestjs/common';
import {
  decideUserName,
  evolveUser,
  evolveUserName,
  initialUserNameState,
  initialUserState,
  manualUserToConvert,
  upcastEvent,
  userDecider,
  userNameDecider,
  userNameKey,
  userNameStream,
  userStream,
  DomainError,
  type ExistingUser,
  type HolderStatus,
  type UserEvent,
  type UserNameEvent,
  type UserProfile,
  type UserState,
  type UserCommand,
} from '@scim/domain';
import {
  aggregateStream,
  ConcurrencyError,
  handleCommand,
  PreconditionFailedError,
  WrongExpectedRevisionError,
  type RecordedEvent,
} from '@scim/event-store';
import { SubjectKeyStore } from '@scim/event-store/personal-data';
import { EventWriter } from '../persistence/event-writer';
import { KeyedMutex } from '../persistence/keyed-mutex';
import type { CommandContext } from '../shared/request-context';

export interface WrittenUser {
  readonly user: ExistingUser;
  /** Stream revision after the write: the resource's version. */
  readonly revision: number;
}

/** The desired profile and lifecycle, computed from the current user (PUT body, or PATCH applied). */
export type UserChange = (current: ExistingUser) => { profile: UserProfile; active?: boolean; notes: readonly string[] };

/** Attempts of one write when other API instances keep appending to the stream first. */
const MAX_ATTEMPTS = 4;

interface Reservation {
  readonly position: number;
  /** A manual user of this account holds the name: convert it instead of creating a user. */
  readonly convert?: string;
}

const toUserEvent = (recorded: RecordedEvent) =>
  upcastEvent({ type: recorded.type, data: recorded.data, schemaVersion: recorded.metadata.schemaVersion as number | undefined }) as UserEvent;
const toUserNameEvent = (recorded: RecordedEvent) =>
  upcastEvent({ type: recorded.type, data: recorded.data, schemaVersion: recorded.metadata.schemaVersion as number | undefined }) as UserNameEvent;

/**
 * The write side of SCIM users: userName reservations first (the cross-account lock), then the
 * user's own stream, each append with an expected revision. Responses come from this state,
 * never from a read model.
 *
 * Writes to one user take turns in this process: an IdP's parallel PATCHes (Entra sends them) are
 * all applied instead of all but one losing the race for the same revision. Across API instances
 * the expected revision decides and the loser is decided again, a few times at most.
 */
@Injectable()
export class UserWriteModel {
  private readonly inTurn = new KeyedMutex();

  constructor(
    private readonly writer: EventWriter,
    private readonly subjectKeys: SubjectKeyStore,
  ) {}

  /**
   * SCIM create with user matching (shared/DESIGN.md §2): a new name creates a user; a name a
   * manual user of this account holds converts that user (same id); any other holder is a 409,
   * and a name held by another account is also recorded in this account's provisioning history.
   */
  async provision(context: CommandContext, profile: UserProfile, active: boolean, notes: readonly string[]): Promise<WrittenUser> {
    const newUserId = this.writer.newEventId();
    this.writer.assertFitsOneAppend(userStream(newUserId), profile);
    let reservation: Reservation;
    try {
      reservation = await this.reserveUserName(context, profile.userName, newUserId, { convertManualUser: true });
    } catch (error) {
      if (error instanceof DomainError && error.code === 'username_held_by_another_account') await this.recordRejection(context, profile.userName);
      throw error;
    }
    const userId = reservation.convert ?? newUserId;
    const command: UserCommand = reservation.convert
      ? { type: 'ConvertUserToScim', accountId: context.accountId, profile, active, at: context.at }
      : { type: 'ProvisionUser', userId, accountId: context.accountId, profile, active, at: context.at };
    const result = await this.run(context, userId, command, { notes, newStream: !reservation.convert });
    await this.writer.settle(Math.max(reservation.position, result.position));
    return { user: result.state as ExistingUser, revision: result.revision };
  }

  /** An administrator's manual user: reserves the name like any other (uniqueness is global). */
  async createManual(context: CommandContext, profile: UserProfile): Promise<WrittenUser> {
    const userId = this.writer.newEventId();
    this.writer.assertFitsOneAppend(userStream(userId), profile);
    const reservation = await this.reserveUserName(context, profile.userName, userId, { convertManualUser: false });
    const result = await this.run(context, userId, { type: 'CreateManualUser', userId, accountId: context.accountId, profile, at: context.at }, { newStream: true });
    await this.writer.settle(Math.max(reservation.position, result.position));
    return { user: result.state as ExistingUser, revision: result.revision };
  }

  /** Any other command on one user's stream (roles), settled before returning. */
  async execute(context: CommandContext, userId: string, command: UserCommand, options: { settle?: boolean } = {}): Promise<WrittenUser> {
    const result = await this.inTurn.run(userId, () => this.run(context, userId, command));
    if (options.settle !== false) await this.writer.settle(result.position);
    return { user: result.state as ExistingUser, revision: result.revision };
  }

  /**
   * Applies a change computed from the freshest state. Without If-Match a concurrent write makes
   * us re-read and recompute (so a PATCH never undoes another); with If-Match it is a 412.
   */
  async update(context: CommandContext, userId: string, ifMatch: number | undefined, change: UserChange): Promise<WrittenUser> {
    const { user, revision, position } = await this.inTurn.run(userId, () => this.updateInTurn(context, userId, ifMatch, change));
    await this.writer.settle(position);
    return { user, revision };
  }

  private async updateInTurn(context: CommandContext, userId: string, ifMatch: number | undefined, change: UserChange): Promise<WrittenUser & { position: number }> {
    for (let attempt = 1; ; attempt++) {
      const { state, revision } = await this.load(userId);
      const current = this.requireLive(state, context);
      if (ifMatch !== undefined && ifMatch !== revision) throw new PreconditionFailedError(userStream(userId), ifMatch, revision);

      const desired = change(current);
      this.writer.assertFitsOneAppend(userStream(userId), desired.profile);
      const oldKey = userNameKey(current.profile.userName);
      const renamed = userNameKey(desired.profile.userName) !== oldKey;
      let position = renamed ? (await this.reserveUserName(context, desired.profile.userName, userId)).position : 0;
      try {
        const update: UserCommand = { type: 'UpdateUser', accountId: context.accountId, profile: desired.profile, active: desired.active, at: context.at };
        const result = await this.run(context, userId, update, { notes: desired.notes, expectedRevision: revision });
        position = Math.max(position, result.position);
        if (renamed) position = Math.max(position, await this.releaseUserName(context, oldKey, userId, 'renamed'));
        return { user: result.state as ExistingUser, revision: result.revision, position };
      } catch (error) {
        if (!(error instanceof PreconditionFailedError) || ifMatch !== undefined) throw error;
        if (attempt >= MAX_ATTEMPTS) throw new ConcurrencyError(userStream(userId), attempt);
      }
    }
  }

  async deprovision(context: CommandContext, userId: string, ifMatch: number | undefined): Promise<void> {
    const result = await this.inTurn.run(userId, () =>
      this.run(context, userId, { type: 'DeprovisionUser', accountId: context.accountId, at: context.at }, { expectedRevision: ifMatch }),
    );
    const deprovisioned = result.newEvents.find((e) => e.type === 'UserDeprovisioned');
    let position = result.position;
    if (deprovisioned) {
      position = Math.max(position, await this.releaseUserName(context, userNameKey(deprovisioned.data.userName), userId, 'deprovisioned'));
    }
    await this.writer.settle(position);
  }

  /**
   * Erasure (docs/PRIVACY.md): records UserErased (deprovisioning a live user first and releasing
   * its userName), then destroys the user's data key, so every personal value of its history reads
   * as `[erased]`. The key goes only once the erasure is recorded; asked again, it finishes a
   * destruction that a crash interrupted.
   */
  async erase(context: CommandContext, userId: string, reason: string): Promise<{ readonly erasedAt: string; readonly keyIds: readonly string[] }> {
    const keyId = (await this.subjectKeys.liveKeyIdOf(userId)) ?? null;
    const result = await this.inTurn.run(userId, () =>
      this.run(context, userId, { type: 'EraseUser', accountId: context.accountId, reason, keyId, at: context.at }),
    );
    let position = result.position;
    const deprovisioned = result.newEvents.find((e) => e.type === 'UserDeprovisioned');
    if (deprovisioned) {
      position = Math.max(position, await this.releaseUserName(context, userNameKey(deprovisioned.data.userName), userId, 'deprovisioned'));
    }
    const keyIds = await this.subjectKeys.destroy(userId);
    await this.writer.settle(position);
    const state = result.state as ExistingUser;
    return { erasedAt: state.erasedAt ?? context.at, keyIds };
  }

  private run(
    context: CommandContext,
    userId: string,
    command: UserCommand,
    options: { notes?: readonly string[]; expectedRevision?: number; newStream?: boolean } = {},
  ) {
    return handleCommand(this.writer.store, userStream(userId), userDecider, command, {
      expectedRevision: options.expectedRevision,
      newStream: options.newStream,
      metadata: this.writer.metadataFor(context, options.notes),
      eventId: this.writer.newEventId,
      upcast: toUserEvent,
    });
  }

  private recordRejection(context: CommandContext, userName: string): Promise<void> {
    return this.writer.recordRejection(context, {
      type: 'ProvisioningRejected',
      data: { accountId: context.accountId, resourceType: 'User', userName, reason: 'username-held-by-another-account', rejectedAt: context.at },
    });
  }

  private load(userId: string) {
    return aggregateStream<UserEvent, UserState>(this.writer.store, userStream(userId), evolveUser, initialUserState, toUserEvent);
  }

  private requireLive(state: UserState, context: CommandContext): ExistingUser {
    if (state.status === 'absent' || state.status === 'deprovisioned' || state.accountId !== context.accountId) {
      throw new DomainError('user_not_found', 'User not found');
    }
    return state;
  }

  /**
   * Reserves (or confirms) the name for `userId`; or, on a SCIM create, finds the manual user of
   * this account to convert instead. `position` is what was written, 0 if nothing.
   */
  private async reserveUserName(
    context: CommandContext,
    userName: string,
    userId: string,
    options: { convertManualUser: boolean } = { convertManualUser: false },
  ): Promise<Reservation> {
    const key = userNameKey(userName);
    const stream = userNameStream(key);
    for (let attempt = 1; ; attempt++) {
      const { state, revision } = await aggregateStream(this.writer.store, stream, evolveUserName, initialUserNameState, toUserNameEvent);
      const holder: HolderStatus =
        state.status === 'reserved' && state.userId !== userId ? await this.holderStatus(state.userId) : { exists: false };
      const convert = options.convertManualUser ? manualUserToConvert(state, holder, context.accountId, key) : undefined;
      if (convert) return { position: 0, convert };
      const events = decideUserName(
        { type: 'ReserveUserName', userNameKey: key, userName, accountId: context.accountId, userId, holder, at: context.at },
        state,
      );
      if (events.length === 0) return { position: 0 };
      try {
        const appended = await this.writer.store.append(stream, this.writer.toNewEvents(events, context), revision < 0 ? 'no_stream' : revision);
        return { position: appended.position };
      } catch (error) {
        // Another request reserved or released the name since we read it: decide again on the new state.
        if (!(error instanceof WrongExpectedRevisionError)) throw error;
        if (attempt >= MAX_ATTEMPTS) throw new ConcurrencyError(stream, attempt);
      }
    }
  }

  private async releaseUserName(context: CommandContext, key: string, userId: string, reason: 'renamed' | 'deprovisioned'): Promise<number> {
    const result = await handleCommand(
      this.writer.store,
      userNameStream(key),
      userNameDecider,
      { type: 'ReleaseUserName', userNameKey: key, userId, reason, at: context.at },
      { metadata: this.writer.metadataFor(context), eventId: this.writer.newEventId, upcast: toUserNameEvent },
    );
    return result.position;
  }

  private async holderStatus(holderId: string): Promise<HolderStatus> {
    const { state } = await this.load(holderId);
    if (state.status === 'absent') return { exists: false };
    return { exists: true, userNameKey: userNameKey(state.profile.userName), deprovisioned: state.status === 'deprovisioned', source: state.source };
  }
}
