import { useEffect, useMemo, useState } from 'preact/hooks';
import { accountApi, platformApi, storedKey, storeKey, type Session } from './api';
import { ActivityPage } from './pages/activity';
import { AccountPicker } from './pages/accounts';
import { GroupPage, GroupsPage } from './pages/groups';
import { IdentityPage } from './pages/identity';
import { SupportPage } from './pages/support';
import { UserPage, UsersPage } from './pages/users';
import { noLabels, type Labels } from './format';
import { href, parseRoute, type Route } from './routes';
import { ErrorNote, messageOf, useLoad } from './ui';

function useRoute(): Route {
  const [hash, setHash] = useState(location.hash);
  useEffect(() => {
    const onChange = () => setHash(location.hash);
    addEventListener('hashchange', onChange);
    return () => removeEventListener('hashchange', onChange);
  }, []);
  return useMemo(() => parseRoute(hash), [hash]);
}

export function App() {
  const [session, setSession] = useState<Session | null>(null);
  const [checking, setChecking] = useState(Boolean(storedKey()));
  useEffect(() => {
    const key = storedKey();
    if (!key) return;
    platformApi.session(key).then(
      (s) => setSession(s),
      () => storeKey(null),
    ).finally(() => setChecking(false));
  }, []);
  const signOut = () => {
    storeKey(null);
    setSession(null);
    location.hash = '';
  };
  if (checking) return <p class="muted">Loading…</p>;
  if (!session) return <SignIn onSignedIn={setSession} />;
  return <Console session={session} onSignOut={signOut} />;
}

function SignIn({ onSignedIn }: { onSignedIn: (session: Session) => void }) {
  const [key, setKey] = useState('');
  const [error, setError] = useState<string>();
  const submit = async (event: Event) => {
    event.preventDefault();
    setError(undefined);
    try {
      const session = await platformApi.session(key.trim());
      storeKey(key.trim());
      if (session.role === 'account-admin') location.hash = href(session.accountId, 'identity');
      onSignedIn(session);
    } catch (failure) {
      // A refused key leaves nothing behind: no stored key, no half-open console.
      setError(messageOf(failure));
    }
  };
  return (
    <main class="sign-in">
      <h1>Account console</h1>
      <p>Sign in with your account admin key, or with the platform operator or auditor key.</p>
      <form onSubmit={submit}>
        <label for="key">Admin key</label>
        <input id="key" type="password" autocomplete="off" required value={key} onInput={(e) => setKey(e.currentTarget.value)} />
        <button type="submit" class="primary">
          Sign in
        </button>
        <ErrorNote error={error} />
      </form>
    </main>
  );
}

const NAV = [
  { page: 'identity', label: 'Identity and access', admin: true },
  { page: 'users', label: 'Users', admin: true },
  { page: 'groups', label: 'Groups', admin: true },
  { page: 'activity', label: 'Activity', admin: false },
  { page: 'support', label: 'Support', admin: false },
] as const;

function Console({ session, onSignOut }: { session: Session; onSignOut: () => void }) {
  const route = useRoute();
  const readOnly = session.role === 'auditor';
  const accountId = session.role === 'account-admin' ? session.accountId : route.accountId;
  if (!accountId || route.page === 'accounts') {
    return (
      <Shell session={session} onSignOut={onSignOut}>
        <AccountPicker canCreate={session.role === 'operator'} canList={session.role === 'operator'} />
      </Shell>
    );
  }
  const page = readOnly && !['activity', 'support'].includes(route.page) ? 'support' : route.page;
  return (
    <Shell session={session} onSignOut={onSignOut} accountId={accountId} page={page} readOnly={readOnly}>
      <AccountPages accountId={accountId} page={page} id={route.id} readOnly={readOnly} />
    </Shell>
  );
}

function Shell(props: { session: Session; onSignOut: () => void; accountId?: string; page?: string; readOnly?: boolean; children: preact.ComponentChildren }) {
  const { session, accountId, page, readOnly } = props;
  const who = session.role === 'account-admin' ? `${session.accountName} · key "${session.keyLabel || session.keyId.slice(0, 8)}"` : session.role === 'operator' ? 'Platform operator' : 'Auditor (read-only)';
  return (
    <div class="shell">
      <header>
        <a class="brand" href={accountId ? href(accountId, 'identity') : '#/accounts'}>
          Account console
        </a>
        <span class="who">{who}</span>
        {session.role !== 'account-admin' && accountId && (
          <a class="switch" href="#/accounts">
            Switch account
          </a>
        )}
        <button type="button" onClick={props.onSignOut}>
          Sign out
        </button>
      </header>
      {accountId && (
        <nav class="main-nav" aria-label="Console">
          <ul>
            {NAV.filter((item) => !readOnly || !item.admin).map((item) => (
              <li key={item.page}>
                <a href={href(accountId, item.page)} aria-current={page === item.page ? 'page' : undefined}>
                  {item.page === 'users' || item.page === 'groups' ? <span class="crumb">Access › </span> : null}
                  {item.label}
                </a>
              </li>
            ))}
          </ul>
        </nav>
      )}
      <main id="main">{props.children}</main>
    </div>
  );
}

/** The account's token and admin-key labels, so histories read "token Okta production", not an id. */
function useLabels(accountId: string, readOnly: boolean, round: number): Labels {
  const api = useMemo(() => accountApi(accountId), [accountId]);
  const { data } = useLoad(async () => {
    if (readOnly) return noLabels;
    const [tokens, keys] = await Promise.all([api.tokens(), api.adminKeys()]);
    return { tokens: new Map(tokens.items.map((t) => [t.tokenId, t.label])), adminKeys: new Map(keys.items.map((k) => [k.keyId, k.label])) };
  }, [api, readOnly, round]);
  return data ?? noLabels;
}

function AccountPages({ accountId, page, id, readOnly }: { accountId: string; page: string; id?: string; readOnly: boolean }) {
  const api = useMemo(() => accountApi(accountId), [accountId]);
  const [labelRound, setLabelRound] = useState(0);
  const labels = useLabels(accountId, readOnly, labelRound);
  const account = useLoad(() => (readOnly ? Promise.resolve(undefined) : api.account()), [api, readOnly]);
  if (account.error) return <ErrorNote error={account.error} />;
  const context = { api, accountId, labels, readOnly };
  switch (page) {
    case 'identity':
      return account.data ? <IdentityPage {...context} account={account.data} onTokensChanged={() => setLabelRound((r) => r + 1)} /> : null;
    case 'users':
      return id ? <UserPage {...context} userId={id} /> : <UsersPage {...context} />;
    case 'groups':
      return id ? <GroupPage {...context} groupId={id} /> : <GroupsPage {...context} />;
    case 'activity':
      return <ActivityPage {...context} />;
    case 'support':
      return <SupportPage {...context} userId={id} />;
    default:
      return <p>Page not found. <a href={href(accountId, 'identity')}>Identity and access</a></p>;
  }
}

