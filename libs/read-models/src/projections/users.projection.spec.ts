import type { RecordedEvent } from '@scim/event-store';
import { storedUserForms } from '@scim/scim-protocol';
import type { Doc } from '../read-store.port';
import { Collections } from './collections';
import { usersProjection, type UserView } from './users.projection';

const userId = 'c0ffee00-0000-4000-8000-000000000001';
const ref = { collection: Collections.users, id: userId };
let position = 0;
const recorded = (type: string, revision: number, data: Record<string, unknown>, streamId = `user-${userId}`): RecordedEvent => ({
  id: `e${++position}`,
  type,
  data,
  metadata: { schemaVersion: 1 },
  streamId,
  revision,
  position,
  recordedAt: '2025-01-01T00:00:00.000Z',
});

/** A full rendering of the view's facts: what the projection must store, whatever shortcut it takes. */
const fullForms = (view: UserView) =>
  storedUserForms({ id: view._id, profile: view.profile, active: view.active, meta: { created: view.created, lastModified: view.lastModified, version: view.version } });

describe('usersProjection', () => {
  const provisioned = recorded('UserProvisioned', 0, {
    userId,
    accountId: 'a1',
    profile: { userName: 'Zoë@Example.com', name: { givenName: 'Zoë "Z"' }, emails: [{ value: 'zoe@example.com', primary: true }] },
    active: true,
    provisionedAt: '2025-01-01T00:00:00.000Z',
  });

  it('stores the SCIM resource without meta; a revision that changes no attribute keeps it', () => {
    const view = usersProjection.evolve(ref, null, provisioned) as UserView;
    expect(view.resourceJson).toBe(fullForms(view).resourceJson);
    expect(JSON.parse(view.resourceJson)).not.toHaveProperty('meta');

    // Read back from a store: the JSON text of the document, parsed.
    const stored = JSON.parse(JSON.stringify(view)) as Doc;
    const granted = usersProjection.evolve(ref, stored, recorded('RoleGrantedViaGroup', 1, { userId, role: 'admin', groupId: 'g1', grantedAt: '2025-01-02T00:00:00.000Z' })) as UserView;
    expect(granted.resourceJson).toBe(view.resourceJson);
    expect(granted.version).toBe(1);
  });

  it('stores after every kind of event the JSON and search mirror a full rendering gives, byte for byte', () => {
    const events = [
      provisioned,
      recorded('RoleGrantedViaGroup', 1, { userId, role: 'admin', groupId: 'g1', grantedAt: '2025-01-02T00:00:00.000Z' }),
      recorded('RoleGrantedViaGroup', 2, { userId, role: 'admin', groupId: 'g2', grantedAt: '2025-01-02T00:00:01.000Z' }),
      recorded('RoleAssignedManually', 3, { userId, role: 'auditor', assignedAt: '2025-01-03T00:00:00.000Z' }),
      recorded('UserAttributesUpdated', 4, { userId, changed: { displayName: '"meta":{}}' }, removed: [], updatedAt: '2025-01-04T00:00:00.000Z' }),
      recorded('RoleRevokedViaGroup', 5, { userId, role: 'admin', groupId: 'g1', reason: 'membership-removed', revokedAt: '2025-01-05T00:00:00.000Z' }),
      recorded('UserDeactivated', 6, { userId, deactivatedAt: '2025-01-06T00:00:00.000Z' }),
      recorded('RoleRemovedManually', 7, { userId, role: 'auditor', removedAt: '2025-01-07T00:00:00.000Z' }),
      recorded('UserReactivated', 8, { userId, reactivatedAt: '2025-01-08T00:00:00.000Z' }),
      // Revisions whose tags differ in length: 9 → 10.
      recorded('RoleGrantedViaGroup', 9, { userId, role: 'ops', groupId: 'g3', grantedAt: '2025-01-09T00:00:00.000Z' }),
      recorded('RoleGrantedViaGroup', 10, { userId, role: 'dev', groupId: 'g3', grantedAt: '2025-01-10T00:00:00.000Z' }),
    ];
    let doc: Doc | null = null;
    for (const event of events) {
      // Each time as a store gives it back (JSON text parsed), and each time as the previous evolve left it.
      const fromStore = usersProjection.evolve(ref, doc && (JSON.parse(JSON.stringify(doc)) as Doc), event) as UserView;
      const inBatch = usersProjection.evolve(ref, doc, event) as UserView;
      for (const view of [fromStore, inBatch]) {
        const full = fullForms(view);
        expect(view.version).toBe(event.revision);
        expect(view.resourceJson).toBe(full.resourceJson);
        expect(JSON.stringify(view.search)).toBe(JSON.stringify(full.search));
      }
      expect(JSON.stringify(fromStore)).toBe(JSON.stringify(inBatch));
      doc = inBatch;
    }
    expect((doc as UserView).effectiveRoles).toEqual(['admin', 'dev', 'ops']);
  });

  it('stores a removed active as unassigned: inactive for access, absent from the JSON and the search mirror', () => {
    const unassigned = usersProjection.evolve(ref, JSON.parse(JSON.stringify(usersProjection.evolve(ref, null, provisioned))), recorded('UserDeactivated', 1, { userId, deactivatedAt: '2025-01-02T00:00:00.000Z', unassigned: true })) as UserView;
    expect(unassigned).toMatchObject({ status: 'inactive', active: false, activeUnassigned: true, effectiveRoles: [] });
    expect(JSON.parse(unassigned.resourceJson)).not.toHaveProperty('active');
    expect(unassigned.search).not.toHaveProperty('active');
    const reactivated = usersProjection.evolve(ref, JSON.parse(JSON.stringify(unassigned)), recorded('UserReactivated', 2, { userId, reactivatedAt: '2025-01-03T00:00:00.000Z' })) as UserView;
    expect(reactivated).not.toHaveProperty('activeUnassigned');
    expect(JSON.parse(reactivated.resourceJson).active).toBe(true);
  });

  it("mirrors an account's extension values both case-folded and as stored, for filters by the attribute's caseExact", () => {
    const urn = 'urn:ietf:params:scim:schemas:custom:Space';
    const view = usersProjection.evolve(ref, null, { ...provisioned, data: { ...provisioned.data, profile: { userName: 'z', [urn]: { Code: 'AbC', level: 3 } } } }) as UserView;
    expect(JSON.parse(view.resourceJson)[urn]).toEqual({ Code: 'AbC', level: 3 });
    const key = 'urn_3aietf_3aparams_3ascim_3aschemas_3acustom_3aspace';
    expect(view.search).toMatchObject({ customFolded: { [key]: { Code: 'abc', level: 3 } }, customExact: { [key]: { Code: 'AbC', level: 3 } } });
  });

  it('stores roles named after Object.prototype keys as roles, in the document shape stored so far', () => {
    const names = ['__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty', 'valueOf'];
    let doc = usersProjection.evolve(ref, null, provisioned) as Doc;
    let revision = 0;
    for (const role of names) {
      // Each event applied to the document as a store gives it back: its JSON text, parsed.
      doc = usersProjection.evolve(ref, JSON.parse(JSON.stringify(doc)), recorded('RoleGrantedViaGroup', ++revision, { userId, role, groupId: 'g1', grantedAt: '2025-01-02T00:00:00.000Z' })) as Doc;
      doc = usersProjection.evolve(ref, JSON.parse(JSON.stringify(doc)), recorded('RoleAssignedManually', ++revision, { userId, role, assignedAt: '2025-01-03T00:00:00.000Z' })) as Doc;
    }
    const stored = JSON.parse(JSON.stringify(doc)) as UserView;
    expect(stored.effectiveRoles).toEqual([...names].sort());
    // The stored shape: role → grants and role → assignment, as JSON objects with own keys.
    expect(Object.entries(stored.groupRoles)).toEqual(names.map((role) => [role, [{ groupId: 'g1', since: '2025-01-02T00:00:00.000Z' }]]));
    expect(Object.entries(stored.manualRoles)).toEqual(names.map((role) => [role, { since: '2025-01-03T00:00:00.000Z', preExisting: false }]));
    expect(Object.getPrototypeOf(stored.groupRoles)).toBe(Object.prototype);

    const revoked = usersProjection.evolve(ref, stored, recorded('RoleRevokedViaGroup', ++revision, { userId, role: 'constructor', groupId: 'g1', reason: 'membership-removed', revokedAt: '2025-01-04T00:00:00.000Z' })) as UserView;
    const removed = usersProjection.evolve(ref, revoked, recorded('RoleRemovedManually', ++revision, { userId, role: 'constructor', removedAt: '2025-01-04T00:00:00.000Z' })) as UserView;
    expect(removed.effectiveRoles).toEqual(names.filter((role) => role !== 'constructor').sort());
    expect(Object.keys(removed.groupRoles)).not.toContain('constructor');
  });

  describe('groups', () => {
    const membership = (type: 'GroupMembersAdded' | 'GroupMembersRemoved', groupId: string, members: string[], accountId = 'a1') =>
      recorded(type, 0, { groupId, accountId, members, [type === 'GroupMembersAdded' ? 'addedAt' : 'removedAt']: '2025-02-01T00:00:00.000Z' }, `groupmembers-${groupId}`);

    it('targets every member of a membership change', () => {
      expect(usersProjection.targets(membership('GroupMembersAdded', 'g1', [userId, 'u2']))).toEqual([ref, { collection: Collections.users, id: 'u2' }]);
    });

    it('keeps the ids of the groups the user is a member of, without changing its version or stored resource', () => {
      const view = usersProjection.evolve(ref, null, provisioned) as UserView;
      expect(view.groupIds).toEqual([]);
      let doc = view as Doc;
      for (const event of [
        membership('GroupMembersAdded', 'g1', [userId]),
        membership('GroupMembersAdded', 'g2', [userId, 'u2']),
        membership('GroupMembersAdded', 'g1', [userId]),
        membership('GroupMembersRemoved', 'g2', [userId]),
      ]) {
        doc = usersProjection.evolve(ref, JSON.parse(JSON.stringify(doc)), event) as Doc;
      }
      const member = doc as UserView;
      expect(member.groupIds).toEqual(['g1']);
      expect([member.version, member.resourceJson, member.lastModified]).toEqual([view.version, view.resourceJson, view.lastModified]);

      // The user's own events keep them.
      const updated = usersProjection.evolve(ref, member, recorded('UserAttributesUpdated', 1, { userId, changed: { displayName: 'Zoë' }, removed: [], updatedAt: '2025-03-01T00:00:00.000Z' })) as UserView;
      expect(updated.groupIds).toEqual(['g1']);
    });

    it('ignores a membership of another account, or of a user without a document', () => {
      const view = usersProjection.evolve(ref, null, provisioned) as UserView;
      expect((usersProjection.evolve(ref, view, membership('GroupMembersAdded', 'g9', [userId], 'a2')) as UserView).groupIds).toEqual([]);
      expect(usersProjection.evolve(ref, null, membership('GroupMembersAdded', 'g1', [userId]))).toBeNull();
    });
  });

  it('replays an erased person’s history without failing: [erased] values, then gone', () => {
    // What the event store hands readers once the person's data key is destroyed (docs/PRIVACY.md).
    const erasedHistory = [
      recorded('UserProvisioned', 0, { userId, accountId: 'a1', profile: { userName: '[erased]' }, active: true, provisionedAt: '2025-01-01T00:00:00.000Z' }),
      recorded('UserAttributesUpdated', 1, { userId, changed: {}, removed: ['title'], updatedAt: '2025-01-02T00:00:00.000Z' }),
      recorded('UserDeprovisioned', 2, { userId, userName: '[erased]', deprovisionedAt: '2025-01-03T00:00:00.000Z' }),
      recorded('UserErased', 3, { userId, accountId: 'a1', keyId: 'k1', reason: 'GDPR', erasedAt: '2025-01-03T00:00:00.000Z' }),
    ];
    const evolve = (index: number, doc: Doc | null) => usersProjection.evolve(ref, doc, erasedHistory[index]);
    const before = evolve(0, null) as UserView;
    expect(before.profile).toEqual({ userName: '[erased]' });
    const updated = evolve(1, before) as UserView;
    expect(updated.profile).toEqual({ userName: '[erased]' });
    expect(evolve(2, updated)).toBeNull();
    expect(evolve(3, null)).toBeNull();
  });
});

