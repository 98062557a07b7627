import { href, type PageContext } from '../routes';
import { DAY_MS, tokenName, when } from '../format';
import type { ActivityRequest } from '../api';
import { ErrorNote, Loading, Table, useLoad } from '../ui';

const REQUESTS = 500;

const refused = (request: ActivityRequest) => request.items.some((item) => item.outcome === 'rejected');

/** What the identity provider sent and what it was answered; per token and for the connection. */
export function ActivityPage({ api, accountId, labels, readOnly }: PageContext) {
  const activity = useLoad(() => api.activity(REQUESTS), [api]);
  const tokens = useLoad(() => (readOnly ? Promise.resolve(undefined) : api.tokens()), [api, readOnly]);
  if (!activity.data) {
    return (
      <>
        <h1>Activity</h1>
        <ErrorNote error={activity.error} />
        <Loading when={activity.loading} />
      </>
    );
  }
  const requests = activity.data;
  const since = Date.now() - DAY_MS;
  const lastAccepted = requests.find((r) => !refused(r));
  const refusedToday = requests.filter((r) => refused(r) && Date.parse(r.at) >= since).length;
  const active = (tokens.data?.items ?? []).filter((t) => t.status === 'active');
  const nextExpiry = active.map((t) => t.expiresAt).sort()[0];
  const perToken = new Map<string, { last: string; errors: number; requests: number }>();
  for (const request of requests) {
    for (const tokenId of request.tokenIds) {
      const seen = perToken.get(tokenId) ?? { last: request.at, errors: 0, requests: 0 };
      perToken.set(tokenId, { last: seen.last > request.at ? seen.last : request.at, errors: seen.errors + (refused(request) ? 1 : 0), requests: seen.requests + 1 });
    }
  }
  return (
    <>
      <h1>Activity</h1>
      <section aria-labelledby="health-heading">
        <h2 id="health-heading">Connection health</h2>
        <dl class="facts health">
          <dt>Last successful request</dt>
          <dd>{lastAccepted ? when(lastAccepted.at) : 'none recorded'}</dd>
          <dt>Refused in the last 24 hours</dt>
          <dd class={refusedToday > 0 ? 'bad' : undefined}>{refusedToday}</dd>
          {!readOnly && (
            <>
              <dt>Active tokens</dt>
              <dd class={active.length === 0 ? 'bad' : undefined}>{active.length}</dd>
              <dt>Next token expiry</dt>
              <dd>{nextExpiry ? when(nextExpiry) : '—'}</dd>
            </>
          )}
        </dl>
        <p class="muted small">From the last {REQUESTS} requests that changed or were refused something (reads are not recorded).</p>
      </section>
      <section aria-labelledby="per-token-heading">
        <h2 id="per-token-heading">Per token</h2>
        <Table caption="Requests per token" columns={['Token', 'Last request', 'Requests', 'Refused']}>
            {[...perToken].map(([tokenId, t]) => (
              <tr key={tokenId}>
                <td>{tokenName(labels, tokenId)}</td>
                <td>{when(t.last)}</td>
                <td>{t.requests}</td>
                <td class={t.errors > 0 ? 'bad' : undefined}>{t.errors}</td>
              </tr>
            ))}
          </Table>
      </section>
      <section aria-labelledby="requests-heading">
        <h2 id="requests-heading">Provisioning requests</h2>
        <Table caption="Provisioning requests, most recent first" columns={['When', 'Token', 'Outcome', 'Request']}>
            {requests.map((r) => (
              <tr key={r.correlationId} data-outcome={refused(r) ? 'refused' : 'accepted'}>
                <td>{when(r.at)}</td>
                <td>{r.tokenIds.map((id) => tokenName(labels, id)).join(', ')}</td>
                <td>
                  <ul class="plain">
                    {r.items.map((item, i) => (
                      <li key={i} class={item.outcome === 'rejected' ? 'bad' : undefined}>
                        <strong>{item.outcome === 'rejected' ? 'Refused' : item.outcome.replace(/-/g, ' ')}</strong> {item.resourceType}{' '}
                        {item.resourceId && item.resourceType === 'User' ? <a href={href(accountId, readOnly ? 'support' : 'users', item.resourceId)}>{item.name ?? item.resourceId}</a> : item.resourceId && !readOnly ? <a href={href(accountId, 'groups', item.resourceId)}>{item.name ?? item.resourceId}</a> : item.name}
                        {item.detail && <span class="muted"> — {item.detail}</span>}
                      </li>
                    ))}
                    {r.roleChanges.granted + r.roleChanges.revoked > 0 && (
                      <li class="muted small">
                        roles: {r.roleChanges.granted} granted, {r.roleChanges.revoked} revoked
                      </li>
                    )}
                  </ul>
                </td>
                <td>
                  <code class="small">{r.correlationId}</code>
                </td>
              </tr>
            ))}
          </Table>
      </section>
    </>
  );
}
