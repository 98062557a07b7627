import { useEffect, useState } from 'preact/hooks';
import { href, type PageContext } from '../routes';
import { ErrorNote, Loading, Pager, SourceBadge, Table, useAction, useLoad, useSearchPaging, SearchField } from '../ui';

const PAGE = 50;

/** Access > Groups: the account's Platform groups next to the ones the IdP pushed. */
export function GroupsPage({ api, accountId }: PageContext) {
  const paging = useSearchPaging();
  const { query, startIndex, setStartIndex } = paging;
  const groups = useLoad(() => api.groups({ search: query, startIndex, count: PAGE }), [api, query, startIndex]);
  const [name, setName] = useState('');
  const create = useAction();
  return (
    <>
      <h1>Groups</h1>
      <div class="filters">
        <SearchField id="group-search" label="Search groups" placeholder="Group name" value={paging.search} onSearch={paging.onSearch} />
      </div>
      <ErrorNote error={groups.error} />
      <Loading when={groups.loading && !groups.data}>
        {groups.data && (
          <>
            <Table caption="Groups" columns={['Group', 'Source', 'Members', 'Mapped roles']}>
                {groups.data.items.map((g) => (
                  <tr key={g.id}>
                    <td>
                      <a href={href(accountId, 'groups', g.id)}>{g.displayName}</a>
                    </td>
                    <td>
                      <SourceBadge source={g.source} />
                    </td>
                    <td>{g.memberCount}</td>
                    <td>{g.roles.join(', ') || <span class="muted">none</span>}</td>
                  </tr>
                ))}
              </Table>
            <Pager startIndex={startIndex} count={PAGE} total={groups.data.totalResults} onPage={setStartIndex} noun="groups" />
          </>
        )}
      </Loading>
      <section aria-labelledby="new-group">
        <h2 id="new-group">New Platform group</h2>
        <form
          class="inline"
          onSubmit={async (event) => {
            event.preventDefault();
            if (await create.run(() => api.createGroup(name.trim()))) {
              setName('');
              groups.reload();
            }
          }}
        >
          <label for="new-group-name">Group name</label>
          <input id="new-group-name" required maxLength={256} value={name} onInput={(e) => setName(e.currentTarget.value)} />
          <button type="submit" disabled={create.busy}>
            Create group
          </button>
        </form>
        <ErrorNote error={create.error} />
      </section>
    </>
  );
}

export function GroupPage({ api, accountId, groupId }: PageContext & { groupId: string }) {
  const group = useLoad(() => api.group(groupId), [api, groupId]);
  const catalogue = useLoad(() => api.roles(), [api]);
  const [startIndex, setStartIndex] = useState(1);
  const members = useLoad(() => api.members(groupId, startIndex), [api, groupId, startIndex]);
  const [mapping, setMapping] = useState<string[]>([]);
  useEffect(() => setMapping(group.data?.roles ?? []), [group.data]);
  const save = useAction();
  const membership = useAction();
  const [newMember, setNewMember] = useState('');
  if (group.error) return <ErrorNote error={group.error} />;
  if (!group.data) return <Loading when />;
  const g = group.data;
  const platform = g.source === 'Platform';
  const changed = () => {
    members.reload();
    group.reload();
  };
  const addMember = async (event: Event) => {
    event.preventDefault();
    const ok = await membership.run(async () => {
      const found = (await api.userByName(newMember.trim())).items[0];
      if (!found) throw new Error(`No user named "${newMember.trim()}" in this account`);
      await api.addMember(groupId, found.id);
    });
    if (ok) {
      setNewMember('');
      changed();
    }
  };
  return (
    <>
      <p class="crumbs">
        <a href={href(accountId, 'groups')}>Groups</a> ›
      </p>
      <h1>
        {g.displayName} <SourceBadge source={g.source} />
      </h1>
      <section aria-labelledby="mapping-heading">
        <h2 id="mapping-heading">Role mapping</h2>
        <p class="muted">Every member of this group holds these roles, for as long as it is a member.</p>
        <form
          onSubmit={async (event) => {
            event.preventDefault();
            if (await save.run(() => api.mapRoles(groupId, mapping))) group.reload();
          }}
        >
          <fieldset>
            <legend>Roles granted to members of {g.displayName}</legend>
            {(catalogue.data?.items ?? []).map((r) => (
              <label class="checkbox" key={r.role}>
                <input
                  type="checkbox"
                  checked={mapping.includes(r.role)}
                  onChange={(e) => {
                    const checked = e.currentTarget.checked;
                    setMapping((m) => (checked ? [...m, r.role] : m.filter((x) => x !== r.role)));
                  }}
                />{' '}
                {r.role}
                {r.description && <span class="muted small"> — {r.description}</span>}
              </label>
            ))}
          </fieldset>
          <button type="submit" class="primary" disabled={save.busy}>
            Save role mapping
          </button>
          <ErrorNote error={save.error} />
        </form>
      </section>
      <section aria-labelledby="members-heading">
        <h2 id="members-heading">Members</h2>
        {!platform && <p class="note">Membership is managed by your identity provider: change it there and push the group again.</p>}
        <ErrorNote error={members.error ?? membership.error} />
        {members.data && (
          <>
            <Table caption={`Members of ${g.displayName}`} columns={platform ? ['User name', 'Name', 'Source', ''] : ['User name', 'Name', 'Source']}>
                {members.data.items.map((m) => (
                  <tr key={m.id}>
                    <td>
                      <a href={href(accountId, 'users', m.id)}>{m.userName}</a>
                    </td>
                    <td>{m.displayName ?? ''}</td>
                    <td>
                      <SourceBadge source={m.source} />
                    </td>
                    {platform && (
                      <td>
                        <button type="button" aria-label={`Remove ${m.userName} from ${g.displayName}`} disabled={membership.busy} onClick={() => membership.run(() => api.removeMember(groupId, m.id)).then((ok) => ok && changed())}>
                          Remove
                        </button>
                      </td>
                    )}
                  </tr>
                ))}
              </Table>
            <Pager startIndex={startIndex} count={50} total={members.data.totalResults} onPage={setStartIndex} noun="members" />
          </>
        )}
        {platform && (
          <form class="inline" onSubmit={addMember}>
            <label for="add-member">User name to add</label>
            <input id="add-member" required value={newMember} onInput={(e) => setNewMember(e.currentTarget.value)} />
            <button type="submit" disabled={membership.busy}>
              Add member
            </button>
          </form>
        )}
      </section>
    </>
  );
}
