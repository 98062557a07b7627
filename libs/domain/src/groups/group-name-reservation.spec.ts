import { specFor } from '../testing/decider-spec';
import { groupNameKey, groupNameStream } from '../streams';
import { groupNameDecider, requireNameUnusedByUnreservedGroups, type GroupNameHolder, type GroupNameReserved } from './group-name-reservation';

const spec = specFor(groupNameDecider);
const at = '2026-01-02T03:04:05.000Z';
const key = 'sales';
const reservedBy = (groupId: string, reservedAt = at): GroupNameReserved => ({
  type: 'GroupNameReserved',
  data: { accountId: 'acc1', displayName: 'Sales', groupId, reservedAt },
});
const liveHolder: GroupNameHolder = { exists: true, deleted: false, nameKey: key };
const reserve = (groupId: string, holder: GroupNameHolder, when = at) =>
  ({ type: 'ReserveGroupName', accountId: 'acc1', nameKey: key, displayName: 'SALES', groupId, holder, at: when }) as const;
const release = (groupId: string, reason: 'deleted' | 'renamed' | 'abandoned') =>
  ({ type: 'ReleaseGroupName', accountId: 'acc1', groupId, reason, at }) as const;

describe('group displayName reservation decider', () => {
  it('reserves a free name', () =>
    spec
      .given([])
      .when(reserve('g1', { exists: false }))
      .then([{ type: 'GroupNameReserved', data: { accountId: 'acc1', displayName: 'SALES', groupId: 'g1', reservedAt: at } }]));

  it('is idempotent for the holder itself (a retried write)', () => spec.given([reservedBy('g1')]).when(reserve('g1', liveHolder)).then([]));

  it('rejects a name a live group holds', () => spec.given([reservedBy('g1')]).when(reserve('g2', liveHolder)).thenRejects('group_name_taken'));

  it('rejects a name whose group is still being created', () =>
    spec
      .given([reservedBy('g1')])
      .when(reserve('g2', { exists: false }, '2026-01-02T03:04:35.000Z'))
      .thenRejects('group_name_taken'));

  it('takes over a reservation whose create never finished', () =>
    spec
      .given([reservedBy('g1')])
      .when(reserve('g2', { exists: false }, '2026-01-02T03:06:00.000Z'))
      .then([
        { type: 'GroupNameReleased', data: { accountId: 'acc1', groupId: 'g1', reason: 'abandoned', releasedAt: '2026-01-02T03:06:00.000Z' } },
        { type: 'GroupNameReserved', data: { accountId: 'acc1', displayName: 'SALES', groupId: 'g2', reservedAt: '2026-01-02T03:06:00.000Z' } },
      ]));

  it('takes over the name of a deleted holder', () =>
    spec
      .given([reservedBy('g1')])
      .when(reserve('g2', { exists: true, deleted: true, nameKey: key }))
      .then([
        { type: 'GroupNameReleased', data: { accountId: 'acc1', groupId: 'g1', reason: 'stale', releasedAt: at } },
        { type: 'GroupNameReserved', data: { accountId: 'acc1', displayName: 'SALES', groupId: 'g2', reservedAt: at } },
      ]));

  it('takes over the name of a holder renamed since (a rename that failed after reserving)', () =>
    spec
      .given([reservedBy('g1')])
      .when(reserve('g2', { exists: true, deleted: false, nameKey: 'marketing' }))
      .then([
        { type: 'GroupNameReleased', data: { accountId: 'acc1', groupId: 'g1', reason: 'stale', releasedAt: at } },
        { type: 'GroupNameReserved', data: { accountId: 'acc1', displayName: 'SALES', groupId: 'g2', reservedAt: at } },
      ]));

  it('reserves a name again once released', () =>
    spec
      .given([reservedBy('g1'), { type: 'GroupNameReleased', data: { accountId: 'acc1', groupId: 'g1', reason: 'deleted', releasedAt: at } }])
      .when(reserve('g2', { exists: true, deleted: true, nameKey: key }))
      .then([{ type: 'GroupNameReserved', data: { accountId: 'acc1', displayName: 'SALES', groupId: 'g2', reservedAt: at } }]));

  it('releases the name for its holder', () =>
    spec
      .given([reservedBy('g1')])
      .when(release('g1', 'renamed'))
      .then([{ type: 'GroupNameReleased', data: { accountId: 'acc1', groupId: 'g1', reason: 'renamed', releasedAt: at } }]));

  it('ignores a release by a group that no longer holds the name', () =>
    spec
      .given([reservedBy('g1'), { type: 'GroupNameReleased', data: { accountId: 'acc1', groupId: 'g1', reason: 'stale', releasedAt: at } }, reservedBy('g2')])
      .when(release('g1', 'deleted'))
      .then([]));

  it('ignores a release of a name never reserved (a group created before reservations)', () => spec.given([]).when(release('g1', 'deleted')).then([]));
});

describe('names held by groups created before reservations', () => {
  const command = reserve('g2', { exists: false });

  it('refuses a name another unreserved group holds', () => {
    expect(() => requireNameUnusedByUnreservedGroups(command, ['old1', 'old2'])).toThrow(expect.objectContaining({ code: 'group_name_taken' }));
  });

  it('lets a group keep its own name', () => {
    expect(() => requireNameUnusedByUnreservedGroups(command, ['g2'])).not.toThrow();
  });
});

describe('group name streams', () => {
  it('compare displayNames case-insensitively, composed and decomposed alike', () => {
    expect(groupNameKey('Ünïcode Sales')).toBe(groupNameKey('U\u0308nïCODE sales'));
  });

  it('are scoped to the account, short and plain whatever the name', () => {
    const odd = groupNameStream('acc1', groupNameKey(`${'x'.repeat(5000)}/\0 ☃ "'`));
    expect(odd).toMatch(/^groupname-[0-9a-f]{64}$/);
    expect(groupNameStream('acc1', key)).not.toBe(groupNameStream('acc2', key));
  });
});
