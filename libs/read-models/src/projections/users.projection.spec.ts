import type { RecordedEvent } from '@scim/event-store';
import { userJsonWithoutBaseUrl } from '@scim/scim-protocol';
import type { Doc } from '../read-store.port';
import { Collections } from './collections';
import { usersProjection, type UserView } from './users.projection';

const userId = 'c0ffee00-0000-4000-8000-000000000001';
const ref = { collection: Collections.users, id: userId };
let position = 0;
const recorded = (type: string, revision: number, data: Record<string, unknown>): RecordedEvent => ({
  id: `e${++position}`,
  type,
  data,
  metadata: { schemaVersion: 1 },
  streamId: `user-${userId}`,
  revision,
  position,
  recordedAt: '2025-01-01T00:00:00.000Z',
});

/** The representation read models served before they stored it: rendered from the view's facts. */
const renderedFromView = (view: UserView) =>
  userJsonWithoutBaseUrl({ id: view._id, profile: view.profile, active: view.active, meta: { created: view.created, lastModified: view.lastModified, version: view.version } });

describe('usersProjection', () => {
  const provisioned = recorded('UserProvisioned', 0, {
    userId,
    accountId: 'a1',
    profile: { userName: 'Zoë@Example.com', name: { givenName: 'Zoë "Z"' }, emails: [{ value: 'zoe@example.com', primary: true }] },
    active: true,
    provisionedAt: '2025-01-01T00:00:00.000Z',
  });

  it('stores each revision’s SCIM JSON, the one rendered from the view, with the base URL left out', () => {
    const view = usersProjection.evolve(ref, null, provisioned) as UserView;
    expect(view.scimJson).toBe(renderedFromView(view));

    // Read back from a store: the JSON text of the document, parsed.
    const stored = JSON.parse(JSON.stringify(view)) as Doc;
    const granted = usersProjection.evolve(ref, stored, recorded('RoleGrantedViaGroup', 1, { userId, role: 'admin', groupId: 'g1', grantedAt: '2025-01-02T00:00:00.000Z' })) as UserView;
    expect(granted.scimJson).toBe(renderedFromView(granted));
    expect(JSON.parse(granted.scimJson as string).meta.version).toBe('W/"1"');
  });
});
