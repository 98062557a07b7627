import { specFor } from '../testing/decider-spec';
import { fold } from '../decider';
import { upcastEvent } from '../upcasting';
import { carriedOverReservation, manualUserToConvert, userNameDecider, type HolderStatus, type UserNameEvent, type UserNameReserved } from './username-reservation';

const spec = specFor(userNameDecider);
const at = '2026-01-02T03:04:05.000Z';
const key = 'ada@example.com';
const reservedBy = (accountId: string, userId: string, reservedAt = at): UserNameReserved => ({
  type: 'UserNameReserved',
  data: { accountId, userId, reservedAt },
});
const liveHolder: HolderStatus = { exists: true, userNameKey: key, deprovisioned: false, source: 'scim' };
const reserve = (accountId: string, userId: string, holder: HolderStatus, when = at) =>
  ({ type: 'ReserveUserName', userNameKey: key, accountId, userId, holder, at: when }) as const;

describe('userName reservation decider', () => {
  it('reserves a free name', () =>
    spec
      .given([])
      .when(reserve('acc1', 'u1', { exists: false }))
      .then([{ type: 'UserNameReserved', data: { accountId: 'acc1', userId: 'u1', reservedAt: at } }]));

  it('is idempotent for the holder itself', () =>
    spec.given([reservedBy('acc1', 'u1')]).when(reserve('acc1', 'u1', liveHolder)).then([]));

  it('rejects a name held by a live user of this account', () =>
    spec.given([reservedBy('acc1', 'u1')]).when(reserve('acc1', 'u2', liveHolder)).thenRejects('username_taken'));

  it('rejects a name held in another account, without naming it', () =>
    spec.given([reservedBy('acc2', 'u9')]).when(reserve('acc1', 'u1', liveHolder)).thenRejects('username_held_by_another_account'));

  it('treats a reservation whose user is still being written as held', () =>
    spec
      .given([reservedBy('acc1', 'u1')])
      .when(reserve('acc1', 'u2', { exists: false }, '2026-01-02T03:04:35.000Z'))
      .thenRejects('username_taken'));

  it('takes over a reservation abandoned before its user was written', () =>
    spec
      .given([reservedBy('acc2', 'u9')])
      .when(reserve('acc1', 'u1', { exists: false }, '2026-01-02T03:06:00.000Z'))
      .then([
        { type: 'UserNameReleased', data: { accountId: 'acc2', userId: 'u9', reason: 'abandoned', releasedAt: '2026-01-02T03:06:00.000Z' } },
        { type: 'UserNameReserved', data: { accountId: 'acc1', userId: 'u1', reservedAt: '2026-01-02T03:06:00.000Z' } },
      ]));

  it('takes over the name of a deprovisioned holder', () =>
    spec
      .given([reservedBy('acc2', 'u9')])
      .when(reserve('acc1', 'u1', { exists: true, userNameKey: key, deprovisioned: true, source: 'scim' }))
      .then([
        { type: 'UserNameReleased', data: { accountId: 'acc2', userId: 'u9', reason: 'stale', releasedAt: at } },
        { type: 'UserNameReserved', data: { accountId: 'acc1', userId: 'u1', reservedAt: at } },
      ]));

  it('takes over the name of a holder that was renamed since', () =>
    spec
      .given([reservedBy('acc1', 'u1')])
      .when(reserve('acc1', 'u2', { exists: true, userNameKey: 'other@example.com', deprovisioned: false, source: 'scim' }))
      .then([
        { type: 'UserNameReleased', data: { accountId: 'acc1', userId: 'u1', reason: 'stale', releasedAt: at } },
        { type: 'UserNameReserved', data: { accountId: 'acc1', userId: 'u2', reservedAt: at } },
      ]));

  it('reserves a released name again', () =>
    spec
      .given([
        reservedBy('acc1', 'u1'),
        { type: 'UserNameReleased', data: { accountId: 'acc1', userId: 'u1', reason: 'deprovisioned', releasedAt: at } },
      ])
      .when(reserve('acc2', 'u5', { exists: false }))
      .then([{ type: 'UserNameReserved', data: { accountId: 'acc2', userId: 'u5', reservedAt: at } }]));

  it('releases a name only for its holder', () => {
    spec
      .given([reservedBy('acc1', 'u1')])
      .when({ type: 'ReleaseUserName', userId: 'u1', reason: 'renamed', at })
      .then([{ type: 'UserNameReleased', data: { accountId: 'acc1', userId: 'u1', reason: 'renamed', releasedAt: at } }]);
    spec.given([reservedBy('acc1', 'u1')]).when({ type: 'ReleaseUserName', userId: 'u2', reason: 'renamed', at }).then([]);
    spec.given([]).when({ type: 'ReleaseUserName', userId: 'u1', reason: 'deprovisioned', at }).then([]);
  });
});

describe('userName reservations name no userName (docs/PRIVACY.md)', () => {
  it('records no name in any event it decides, and no name in its refusals', () => {
    const decided = [
      ...userNameDecider.decide(reserve('acc1', 'u1', { exists: false }), fold(userNameDecider, [])),
      ...userNameDecider.decide(reserve('acc1', 'u1', { exists: true, userNameKey: key, deprovisioned: true, source: 'scim' }), fold(userNameDecider, [reservedBy('acc2', 'u9')])),
    ];
    expect(decided.map((e) => e.type)).toEqual(['UserNameReserved', 'UserNameReleased', 'UserNameReserved']);
    expect(JSON.stringify(decided).toLowerCase()).not.toContain('ada');
    for (const holder of ['acc1', 'acc2']) {
      try {
        userNameDecider.decide(reserve('acc1', 'u2', liveHolder), fold(userNameDecider, [reservedBy(holder, 'u1')]));
        throw new Error('not refused');
      } catch (error) {
        expect(JSON.stringify(error).toLowerCase()).not.toContain('ada');
        expect(String(error).toLowerCase()).not.toContain('ada');
      }
    }
  });

  it('reads version 1 events (which carried the name) without the name', () => {
    const v1 = { userNameKey: key, userName: 'Ada@Example.com', accountId: 'acc1', userId: 'u1', reservedAt: at };
    expect(upcastEvent({ type: 'UserNameReserved', data: v1, schemaVersion: 1 }).data).toEqual({ accountId: 'acc1', userId: 'u1', reservedAt: at });
    const released = { userNameKey: key, accountId: 'acc1', userId: 'u1', reason: 'renamed', releasedAt: at };
    expect(upcastEvent({ type: 'UserNameReleased', data: released }).data).toEqual({ accountId: 'acc1', userId: 'u1', reason: 'renamed', releasedAt: at });
  });

  it('carries over what a legacy stream still holds, with its original time', () => {
    const legacy: UserNameEvent[] = [reservedBy('acc1', 'u1', '2020-01-01T00:00:00.000Z')];
    expect(carriedOverReservation(legacy)).toEqual(reservedBy('acc1', 'u1', '2020-01-01T00:00:00.000Z'));
    const released: UserNameEvent = { type: 'UserNameReleased', data: { accountId: 'acc1', userId: 'u1', reason: 'deprovisioned', releasedAt: at } };
    expect(carriedOverReservation([...legacy, released])).toBeUndefined();
    expect(carriedOverReservation([])).toBeUndefined();
  });
});

describe('user matching on a SCIM create (the matching table)', () => {
  const manualHolder: HolderStatus = { exists: true, userNameKey: key, deprovisioned: false, source: 'manual' };
  it('converts a live manual user of the same account', () => {
    expect(manualUserToConvert(fold(userNameDecider, [reservedBy('acc1', 'u1')]), manualHolder, 'acc1', key)).toBe('u1');
  });
  it('does not convert across accounts, SCIM holders, free names, or stale holders', () => {
    const state = fold(userNameDecider, [reservedBy('acc1', 'u1')]);
    expect(manualUserToConvert(state, manualHolder, 'acc2', key)).toBeUndefined();
    expect(manualUserToConvert(state, { ...manualHolder, source: 'scim' }, 'acc1', key)).toBeUndefined();
    expect(manualUserToConvert(fold(userNameDecider, []), { exists: false }, 'acc1', key)).toBeUndefined();
    expect(manualUserToConvert(state, { ...manualHolder, deprovisioned: true }, 'acc1', key)).toBeUndefined();
    expect(manualUserToConvert(state, { ...manualHolder, userNameKey: 'renamed' }, 'acc1', key)).toBeUndefined();
  });
});
