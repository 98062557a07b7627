import { Fragment } from 'preact';
import { useState } from 'preact/hooks';
import type { RoleSource } from '../api';
import { href, type PageContext } from '../routes';
import { Timeline } from '../timeline';
import { when } from '../format';
import { ErrorNote, Loading, Pager, SourceBadge, Table, useAction, useLoad, useSearchPaging, SearchField } from '../ui';

const PAGE = 50;

/** Access > Users: manual and SCIM users in one list, searched by user name, name or email. */
export function UsersPage({ api, accountId }: PageContext) {
  const paging = useSearchPaging();
  const { query, startIndex, setStartIndex } = paging;
  const [source, setSource] = useState('');
  const users = useLoad(() => api.users({ search: query, source, startIndex, count: PAGE }), [api, query, source, startIndex]);
  // A whole user name is found through its index at once; the prefix search may scan (README).
  const exact = useLoad(() => (query.trim() ? api.userByName(query.trim()) : Promise.resolve(undefined)), [api, query]);
  const exactHit = users.loading ? exact.data?.items[0] : undefined;
  return (
    <>
      <h1>Users</h1>
      <div class="filters">
        <SearchField id="user-search" label="Search users" placeholder="User name, name or email" value={paging.search} onSearch={paging.onSearch} />
        <div class="field-row">
          <label for="user-source">Source</label>
          <select
            id="user-source"
            value={source}
            onChange={(e) => {
              setSource(e.currentTarget.value);
              setStartIndex(1);
            }}
          >
            <option value="">All</option>
            <option value="Manual">Manual</option>
            <option value="SCIM">SCIM</option>
          </select>
        </div>
      </div>
      <ErrorNote error={users.error} />
      {exactHit && (
        <p class="note" aria-live="polite">
          <a href={href(accountId, 'users', exactHit.id)}>{exactHit.userName}</a> — still searching for more…
        </p>
      )}
      <Loading when={users.loading && !users.data}>
        {users.data && (
          <>
            <Table caption="Users" columns={['User name', 'Name', 'Source', 'Status', 'Effective roles']}>
                {users.data.items.map((u) => (
                  <tr key={u.id}>
                    <td>
                      <a href={href(accountId, 'users', u.id)}>{u.userName}</a>
                    </td>
                    <td>{u.displayName ?? ''}</td>
                    <td>
                      <SourceBadge source={u.source} />
                    </td>
                    <td>{u.status}</td>
                    <td>{u.effectiveRoles.join(', ') || <span class="muted">none</span>}</td>
                  </tr>
                ))}
              </Table>
            <Pager startIndex={startIndex} count={PAGE} total={users.data.totalResults} onPage={setStartIndex} noun="users" />
          </>
        )}
      </Loading>
      <CreateManualUser create={api.createUser} onCreated={(id) => (location.hash = href(accountId, 'users', id))} />
    </>
  );
}

function CreateManualUser({ create, onCreated }: { create: PageContext['api']['createUser']; onCreated: (id: string) => void }) {
  const [userName, setUserName] = useState('');
  const [displayName, setDisplayName] = useState('');
  const action = useAction();
  const submit = async (event: Event) => {
    event.preventDefault();
    let id = '';
    const ok = await action.run(async () => (id = (await create({ userName: userName.trim(), ...(displayName.trim() ? { displayName: displayName.trim() } : {}) })).id));
    if (ok) onCreated(id);
  };
  return (
    <section aria-labelledby="new-user">
      <h2 id="new-user">New manual user</h2>
      <p class="muted">If your identity provider later creates the same user name, this user is converted to SCIM and keeps its roles.</p>
      <form class="inline" onSubmit={submit}>
        <label for="new-user-name">User name</label>
        <input id="new-user-name" required maxLength={256} value={userName} onInput={(e) => setUserName(e.currentTarget.value)} />
        <label for="new-display-name">Name (optional)</label>
        <input id="new-display-name" maxLength={256} value={displayName} onInput={(e) => setDisplayName(e.currentTarget.value)} />
        <button type="submit" disabled={action.busy}>
          Create user
        </button>
      </form>
      <ErrorNote error={action.error} />
    </section>
  );
}

function Provenance({ source, accountId }: { source: RoleSource; accountId: string }) {
  switch (source.kind) {
    case 'manual':
      return <>Assigned manually, {when(source.since)}</>;
    case 'pre-existing-at-conversion':
      return <>Pre-existing: assigned manually {when(source.since)}, kept when the user was converted to SCIM{source.convertedAt ? ` (${when(source.convertedAt)})` : ''}</>;
    case 'group':
      return (
        <>
          Via group <a href={href(accountId, 'groups', source.groupId)}>{source.groupName}</a>, since {when(source.since)}
        </>
      );
  }
}

/** A user's roles with their provenance; manual ones removable, group ones explained. */
export function UserPage({ api, accountId, labels, userId }: PageContext & { userId: string }) {
  const user = useLoad(() => api.user(userId), [api, userId]);
  const roles = useLoad(() => api.roles(), [api]);
  const timeline = useLoad(() => api.timeline(userId), [api, userId]);
  const action = useAction();
  const [role, setRole] = useState('');
  const change = async (work: () => Promise<unknown>) => {
    if (await action.run(work)) {
      user.reload();
      timeline.reload();
    }
  };
  if (user.error) return <ErrorNote error={user.error} />;
  if (!user.data) return <Loading when />;
  const u = user.data;
  const assignable = (roles.data?.items ?? []).filter((r) => !u.roles.some((held) => held.role === r.role && held.sources.some((s) => s.kind !== 'group')));
  return (
    <>
      <p class="crumbs">
        <a href={href(accountId, 'users')}>Users</a> ›
      </p>
      <h1>{u.userName}</h1>
      <dl class="facts">
        <dt>Name</dt>
        <dd>{u.displayName ?? '—'}</dd>
        <dt>Email</dt>
        <dd>{u.emails.join(', ') || '—'}</dd>
        <dt>Source</dt>
        <dd>
          <SourceBadge source={u.source} />
          {u.convertedAt ? ` converted to SCIM ${when(u.convertedAt)}` : ''}
        </dd>
        <dt>Status</dt>
        <dd>{u.status}</dd>
        {(u.customAttributes ?? []).map((a) => (
          <Fragment key={`${a.schema}:${a.name}`}>
            <dt title={a.schema}>{a.name}</dt>
            <dd>{Array.isArray(a.value) ? a.value.join(', ') : String(a.value)}</dd>
          </Fragment>
        ))}
        <dt>Groups</dt>
        <dd>
          {u.groups.length === 0
            ? '—'
            : u.groups.map((g, i) => (
                <span key={g.id}>
                  {i > 0 && ', '}
                  <a href={href(accountId, 'groups', g.id)}>{g.displayName}</a> <SourceBadge source={g.source} />
                </span>
              ))}
        </dd>
      </dl>
      {/* The erasure issue adds its "Erase" action here, below the user's facts. */}
      <section aria-labelledby="roles-heading">
        <h2 id="roles-heading">Roles</h2>
        <p>
          <a href={href(accountId, 'support', userId)}>Why does this user have these roles?</a>
        </p>
        {u.status === 'inactive' && <p class="warning">The user is inactive: the roles below are held but not in effect until the user is reactivated.</p>}
        <Table caption="Roles and where they come from" columns={['Role', 'Where it comes from', '']}>
            {u.roles.map((r) => {
              const manual = r.sources.find((s) => s.kind !== 'group');
              const groups = r.sources.filter((s): s is Extract<RoleSource, { kind: 'group' }> => s.kind === 'group');
              return (
                <tr key={r.role} data-role={r.role}>
                  <th scope="row">{r.role}</th>
                  <td>
                    <ul class="plain">
                      {r.sources.map((s, i) => (
                        <li key={i} data-kind={s.kind}>
                          <Provenance source={s} accountId={accountId} />
                        </li>
                      ))}
                    </ul>
                  </td>
                  <td>
                    {manual && (
                      <button type="button" class="danger" aria-label={`Remove role ${r.role}`} disabled={action.busy} onClick={() => change(() => api.removeRole(userId, r.role))}>
                        Remove
                      </button>
                    )}
                    {!manual && groups.length > 0 && (
                      <p class="muted small">
                        Granted by group {groups.map((g, i) => (
                          <span key={g.groupId}>
                            {i > 0 && ', '}
                            <a href={href(accountId, 'groups', g.groupId)}>{g.groupName}</a>
                          </span>
                        ))}
                        : it cannot be removed here. Change the group's membership in your identity provider, or the group's role mapping.
                      </p>
                    )}
                  </td>
                </tr>
              );
            })}
            {u.roles.length === 0 && (
              <tr>
                <td colSpan={3} class="muted">
                  No role.
                </td>
              </tr>
            )}
          </Table>
        <form
          class="inline"
          onSubmit={(event) => {
            event.preventDefault();
            if (role) void change(() => api.assignRole(userId, role));
          }}
        >
          <label for="assign-role">Role to assign</label>
          <select id="assign-role" value={role} onChange={(e) => setRole(e.currentTarget.value)}>
            <option value="">Choose a role</option>
            {assignable.map((r) => (
              <option key={r.role} value={r.role}>
                {r.role}
              </option>
            ))}
          </select>
          <button type="submit" disabled={!role || action.busy}>
            Assign role
          </button>
        </form>
        <ErrorNote error={action.error} />
      </section>
      <section aria-labelledby="timeline-heading">
        <h2 id="timeline-heading">Timeline</h2>
        <Timeline events={timeline.data?.events} error={timeline.error} labels={labels} />
      </section>
    </>
  );
}
