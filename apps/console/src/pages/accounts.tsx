import { useState } from 'preact/hooks';
import { platformApi } from '../api';
import { href } from '../routes';
import { day } from '../format';
import { ErrorNote, Loading, Pager, Table, useAction, useLoad, useSearchPaging, SearchField } from '../ui';

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
  const paging = useSearchPaging();
  const { query, startIndex, setStartIndex } = paging;
  const accounts = useLoad(() => platformApi.accounts(query, startIndex), [query, startIndex]);
  return (
    <section aria-labelledby="find-account">
      <h2 id="find-account">Find an account</h2>
      <SearchField id="account-search" label="Search accounts" placeholder="Account name" value={paging.search} onSearch={paging.onSearch} />
      <ErrorNote error={accounts.error} />
      <Loading when={accounts.loading && !accounts.data}>
        {accounts.data && (
          <>
            <Table caption="Accounts" columns={['Account', 'Created', 'SCIM']}>
                {accounts.data.items.map((a) => (
                  <tr key={a.accountId}>
                    <td>
                      <a href={href(a.accountId, 'identity')}>{a.name}</a>
                    </td>
                    <td>{day(a.createdAt)}</td>
                    <td>{a.scimEnabled ? 'Enabled' : 'Off'}</td>
                  </tr>
                ))}
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
