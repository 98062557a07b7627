import { useState } from 'preact/hooks';
import { platformApi } from '../api';
import { href } from '../routes';
import { day } from '../format';
import { ErrorNote, Loading, Pager, Table, useAction, useLoad, useSettled } from '../ui';

/** The operator's way in: find an account (or create one); the auditor, who cannot list accounts, names one. */
export function AccountPicker({ canList, canCreate }: { canList: boolean; canCreate: boolean }) {
  return (
    <>
      <h1>Accounts</h1>
      {canList ? <AccountList /> : <OpenById />}
      {canCreate && <CreateAccount />}
    </>
  );
}

function AccountList() {
  const [search, setSearch] = useState('');
  const [startIndex, setStartIndex] = useState(1);
  const query = useSettled(search);
  const accounts = useLoad(() => platformApi.accounts(query, startIndex), [query, startIndex]);
  return (
    <section aria-labelledby="find-account">
      <h2 id="find-account">Find an account</h2>
      <label for="account-search">Search accounts</label>
      <input
        id="account-search"
        type="search"
        placeholder="Account name"
        value={search}
        onInput={(e) => {
          setSearch(e.currentTarget.value);
          setStartIndex(1);
        }}
      />
      <ErrorNote error={accounts.error} />
      <Loading when={accounts.loading && !accounts.data}>
        {accounts.data && (
          <>
            <Table caption="Accounts">
              <thead>
                <tr>
                  <th scope="col">Account</th>
                  <th scope="col">Created</th>
                  <th scope="col">SCIM</th>
                </tr>
              </thead>
              <tbody>
                {accounts.data.items.map((a) => (
                  <tr key={a.accountId}>
                    <td>
                      <a href={href(a.accountId, 'identity')}>{a.name}</a>
                    </td>
                    <td>{day(a.createdAt)}</td>
                    <td>{a.scimEnabled ? 'Enabled' : 'Off'}</td>
                  </tr>
                ))}
              </tbody>
            </Table>
            <Pager startIndex={startIndex} count={20} total={accounts.data.totalResults} onPage={setStartIndex} noun="accounts" />
          </>
        )}
      </Loading>
    </section>
  );
}

function OpenById() {
  const [accountId, setAccountId] = useState('');
  return (
    <form
      onSubmit={(event) => {
        event.preventDefault();
        if (accountId.trim()) location.hash = href(accountId.trim(), 'support');
      }}
    >
      <label for="account-id">Account ID</label>
      <input id="account-id" required value={accountId} onInput={(e) => setAccountId(e.currentTarget.value)} />
      <button type="submit">Open account</button>
    </form>
  );
}

function CreateAccount() {
  const [name, setName] = useState('');
  const action = useAction();
  const submit = async (event: Event) => {
    event.preventDefault();
    let created: { accountId: string } | undefined;
    if (await action.run(async () => (created = await platformApi.createAccount(name.trim())))) location.hash = href(created!.accountId, 'identity');
  };
  return (
    <section aria-labelledby="new-account">
      <h2 id="new-account">New account</h2>
      <form onSubmit={submit} class="inline">
        <label for="account-name">Account name</label>
        <input id="account-name" required maxLength={200} value={name} onInput={(e) => setName(e.currentTarget.value)} />
        <button type="submit" disabled={action.busy}>
          Create account
        </button>
      </form>
      <ErrorNote error={action.error} />
    </section>
  );
}
