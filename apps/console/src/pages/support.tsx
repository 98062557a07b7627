import { useState } from 'preact/hooks';
import type { ExplainedSource, Explanation } from '../api';
import { href, type PageContext } from '../routes';
import { Timeline } from '../timeline';
import { actorName, when, type Labels } from '../format';
import { ErrorNote, Loading, Table, useAction, useLoad } from '../ui';

/** Support: why a user has its roles (now or at an instant), its timeline, and who gained or lost access when. */
export function SupportPage({ api, accountId, labels, userId }: PageContext & { userId?: string }) {
  const [userName, setUserName] = useState('');
  const search = useAction();
  const [results, setResults] = useState<{ userId: string; userName: string; source: string; status: string }[]>();
  return (
    <>
      <h1>Support</h1>
      <form
        class="inline"
        onSubmit={async (event) => {
          event.preventDefault();
          setResults(undefined);
          await search.run(async () => setResults(await api.search(userName.trim())));
        }}
      >
        <label for="support-search">Find a user by user name</label>
        <input id="support-search" required value={userName} onInput={(e) => setUserName(e.currentTarget.value)} />
        <button type="submit">Find</button>
      </form>
      <ErrorNote error={search.error} />
      {results && (
        <ul class="results">
          {results.length === 0 && <li class="muted">No user's name starts with that.</li>}
          {results.map((r) => (
            <li key={r.userId}>
              <a href={href(accountId, 'support', r.userId)}>{r.userName}</a> <span class="muted">{r.source}, {r.status}</span>
            </li>
          ))}
        </ul>
      )}
      {userId && <Explain api={api} accountId={accountId} labels={labels} userId={userId} />}
      <AccessDiff api={api} accountId={accountId} />
    </>
  );
}

function Explain({ api, accountId, labels, userId }: { api: PageContext['api']; accountId: string; labels: Labels; userId: string }) {
  const [asOfInput, setAsOfInput] = useState('');
  const asOf = asOfInput ? new Date(asOfInput).toISOString() : undefined;
  const explained = useLoad(() => api.explain(userId, asOf), [api, userId, asOf]);
  const timeline = useLoad(() => api.timeline(userId), [api, userId]);
  return (
    <section aria-labelledby="explain-heading">
      <h2 id="explain-heading">Why {explained.data?.userName ?? 'this user'} has these roles</h2>
      <div class="field-row">
        <label for="as-of">As of (empty: now)</label>
        <input id="as-of" type="datetime-local" step={1} value={asOfInput} onInput={(e) => setAsOfInput(e.currentTarget.value)} />
      </div>
      <ErrorNote error={explained.error} />
      <Loading when={explained.loading && !explained.data}>{explained.data && <Explained x={explained.data} labels={labels} accountId={accountId} />}</Loading>
      <h3>Timeline</h3>
      <Timeline events={timeline.data?.events} error={timeline.error} labels={labels} />
    </section>
  );
}

type Step = { at: string; actor: Parameters<typeof actorName>[1]; correlationId: string };
const step = (labels: Labels, s: unknown): string => {
  const x = s as Step | null | undefined;
  return x ? `${when(x.at)} by ${actorName(labels, x.actor)}` : 'at an unrecorded time';
};

function SourceText({ source, labels, accountId }: { source: ExplainedSource; labels: Labels; accountId: string }) {
  switch (source.kind) {
    case 'manual':
      return <>Assigned manually {step(labels, source.assigned)}</>;
    case 'pre-existing-at-conversion':
      return <>Pre-existing: assigned manually {step(labels, source.assigned)}, kept when converted to SCIM {step(labels, source.converted)}</>;
    case 'group': {
      const group = source.group as { groupId: string; displayName: string | null };
      return (
        <>
          Via group <a href={href(accountId, 'groups', group.groupId)}>{group.displayName ?? group.groupId}</a>: member since {step(labels, source.membership)}; group mapped to the role {step(labels, source.mapping)}
        </>
      );
    }
    default:
      return <>{source.kind}</>;
  }
}

function Explained({ x, labels, accountId }: { x: Explanation; labels: Labels; accountId: string }) {
  return (
    <>
      <p>
        {x.status === 'absent' ? 'The user did not exist yet.' : `${x.source ?? ''} user, ${x.status}. Effective roles: ${x.effectiveRoles.join(', ') || 'none'}.`}{' '}
        <a href={href(accountId, 'users', x.userId)}>User details</a>
      </p>
      {x.notes.map((note, i) => (
        <p class="note" key={i}>
          {note}
        </p>
      ))}
      <Table caption="Roles and their provenance" columns={['Role', 'Why']}>
          {x.roles.map((r) => (
            <tr key={r.role} data-role={r.role}>
              <th scope="row">{r.role}</th>
              <td>
                <ul class="plain">
                  {r.sources.map((s, i) => (
                    <li key={i} data-kind={s.kind}>
                      <SourceText source={s} labels={labels} accountId={accountId} />
                    </li>
                  ))}
                </ul>
              </td>
            </tr>
          ))}
          {x.formerRoles.map((r) => (
            <tr key={`former-${r.role}`} class="muted">
              <th scope="row">{r.role}</th>
              <td>held before, no longer</td>
            </tr>
          ))}
        </Table>
    </>
  );
}

function AccessDiff({ api, accountId }: { api: PageContext['api']; accountId: string }) {
  const [from, setFrom] = useState('');
  const [to, setTo] = useState('');
  const action = useAction();
  const [changes, setChanges] = useState<{ userId: string; userName: string; gained: string[]; lost: string[] }[]>();
  return (
    <section aria-labelledby="diff-heading">
      <h2 id="diff-heading">Access changes between two instants</h2>
      <form
        class="inline"
        onSubmit={async (event) => {
          event.preventDefault();
          await action.run(async () => setChanges((await api.accessDiff(new Date(from).toISOString(), to ? new Date(to).toISOString() : new Date().toISOString())).changes));
        }}
      >
        <label for="diff-from">From</label>
        <input id="diff-from" type="datetime-local" required value={from} onInput={(e) => setFrom(e.currentTarget.value)} />
        <label for="diff-to">To (empty: now)</label>
        <input id="diff-to" type="datetime-local" value={to} onInput={(e) => setTo(e.currentTarget.value)} />
        <button type="submit">Compare</button>
      </form>
      <ErrorNote error={action.error} />
      {changes && (
        <Table caption="Access gained and lost" columns={['User', 'Gained', 'Lost']}>
            {changes.length === 0 && (
              <tr>
                <td colSpan={3} class="muted">
                  No change.
                </td>
              </tr>
            )}
            {changes.map((c) => (
              <tr key={c.userId}>
                <td>
                  <a href={href(accountId, 'support', c.userId)}>{c.userName}</a>
                </td>
                <td>{c.gained.join(', ')}</td>
                <td>{c.lost.join(', ')}</td>
              </tr>
            ))}
          </Table>
      )}
    </section>
  );
}
