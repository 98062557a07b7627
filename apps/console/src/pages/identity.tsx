import { useState } from 'preact/hooks';
import type { Account, IssuedToken, Token } from '../api';
import type { PageContext } from '../routes';
import { daysUntil, when } from '../format';
import { CopyButton, Dialog, ErrorNote, Loading, Table, useAction, useLoad } from '../ui';

/** The API's longest validity (MAX_TOKEN_VALIDITY_DAYS). */
const MAX_DAYS = 730;
const PRESETS = [30, 90, 180, 365] as const;
/** A token expiring this soon gets a warning: time to rotate it in the IdP. */
const WARN_DAYS = 14;

/** The seed's flow: Identity and access > User lifecycle > Automated user provisioning with SCIM. */
export function IdentityPage({ api, account, onTokensChanged }: PageContext & { account: Account; onTokensChanged: () => void }) {
  const [enabled, setEnabled] = useState(account.scimEnabled);
  const toggle = useAction();
  const tokens = useLoad(() => api.tokens(), [api]);
  const [generating, setGenerating] = useState(false);
  const switchScim = (on: boolean) =>
    toggle.run(async () => {
      await api.setScim(on);
      setEnabled(on);
    });
  const changed = () => {
    tokens.reload();
    onTokensChanged();
  };
  return (
    <>
      <h1>Identity and access</h1>
      <section aria-labelledby="lifecycle">
        <h2 id="lifecycle">User lifecycle</h2>
        <div class="card">
          <h3>Automated user provisioning with SCIM</h3>
          <p class="muted">Your identity provider (Okta, Microsoft Entra ID…) creates, updates and deactivates users and pushes groups into {account.name}.</p>
          <div class="switch-row">
            <input id="scim-sync" type="checkbox" role="switch" checked={enabled} disabled={toggle.busy} onChange={(e) => switchScim(e.currentTarget.checked)} />
            <label for="scim-sync">Enable users and group sync</label>
          </div>
          <ErrorNote error={toggle.error} />
          {enabled && (
            <>
              <div class="field-row">
                <label for="scim-base-url">SCIM base URL</label>
                <div class="with-button">
                  <input id="scim-base-url" readOnly value={account.scimBaseUrl} />
                  <CopyButton text={account.scimBaseUrl} label="Copy the SCIM base URL" />
                </div>
              </div>
              <p>
                <button type="button" class="primary" onClick={() => setGenerating(true)}>
                  Generate token
                </button>
              </p>
            </>
          )}
          {!enabled && <p class="muted">While sync is off, every SCIM request is refused with 403.</p>}
        </div>
      </section>
      {generating && (
        <GenerateToken
          issue={api.issueToken}
          onClose={(issued) => {
            setGenerating(false);
            if (issued) changed();
          }}
        />
      )}
      <section aria-labelledby="tokens-heading">
        <h2 id="tokens-heading">Tokens</h2>
        <ErrorNote error={tokens.error} />
        <Loading when={tokens.loading && !tokens.data}>{tokens.data && <TokenTable tokens={tokens.data.items} revoke={api.revokeToken} onRevoked={changed} />}</Loading>
      </section>
    </>
  );
}

function TokenTable({ tokens, revoke, onRevoked }: { tokens: Token[]; revoke: (tokenId: string) => Promise<void>; onRevoked: () => void }) {
  const action = useAction();
  if (tokens.length === 0) return <p class="muted">No token yet: generate one and paste it into your identity provider.</p>;
  const expiring = tokens.filter((t) => t.status === 'active' && daysUntil(t.expiresAt) <= WARN_DAYS);
  return (
    <>
      {expiring.map((t) => (
        <p class="warning" role="status" key={t.tokenId}>
          Token "{t.label || 'unlabelled'}" expires in {daysUntil(t.expiresAt)} day(s), {when(t.expiresAt)}: generate a new one and paste it into your identity provider before then.
        </p>
      ))}
      <Table caption="SCIM tokens" columns={['Label', 'Issued', 'Expires', 'Last used', 'Status', '']}>
          {tokens.map((t) => (
            <tr key={t.tokenId}>
              <td>{t.label || <span class="muted">unlabelled</span>}</td>
              <td>{when(t.issuedAt)}</td>
              <td>{when(t.expiresAt)}</td>
              <td>{t.lastUsedAt ? when(t.lastUsedAt) : <span class="muted">not since the service started</span>}</td>
              <td>
                <span class={`badge status-${t.status}`}>{t.status}</span>
              </td>
              <td>
                {t.status === 'active' && (
                  <button
                    type="button"
                    class="danger"
                    aria-label={`Revoke token ${t.label || t.tokenId}`}
                    disabled={action.busy}
                    onClick={() => {
                      if (confirm(`Revoke token "${t.label || t.tokenId}"? The identity provider's next request with it is refused.`)) {
                        void action.run(() => revoke(t.tokenId)).then((ok) => ok && onRevoked());
                      }
                    }}
                  >
                    Revoke
                  </button>
                )}
              </td>
            </tr>
          ))}
        </Table>
      <ErrorNote error={action.error} />
    </>
  );
}

/** Choose how long the token stays valid, generate it, copy it once, done. */
function GenerateToken({ issue, onClose }: { issue: (days: number, label: string) => Promise<IssuedToken>; onClose: (issued: boolean) => void }) {
  const [choice, setChoice] = useState<string>('180');
  const [custom, setCustom] = useState('');
  const [label, setLabel] = useState('');
  const [issued, setIssued] = useState<IssuedToken>();
  const action = useAction();
  const days = choice === 'custom' ? Number(custom) : Number(choice);
  const validDays = Number.isInteger(days) && days >= 1 && days <= MAX_DAYS;
  const submit = async (event: Event) => {
    event.preventDefault();
    if (!validDays) return;
    await action.run(async () => setIssued(await issue(days, label.trim())));
  };
  if (issued) {
    return (
      <Dialog title="Token generated" onClose={() => onClose(true)}>
        <p class="warning">Copy the token now and paste it into your identity provider: it is shown only once.</p>
        <label for="new-token">Token</label>
        <div class="with-button">
          <input id="new-token" readOnly value={issued.token} onFocus={(e) => e.currentTarget.select()} />
          <CopyButton text={issued.token} label="Copy the token" />
        </div>
        <p class="muted">Valid until {when(issued.expiresAt)}.</p>
        <div class="actions">
          <button type="button" class="primary" onClick={() => onClose(true)}>
            Done
          </button>
        </div>
      </Dialog>
    );
  }
  return (
    <Dialog title="Generate token" onClose={() => onClose(false)}>
      <form onSubmit={submit}>
        <fieldset>
          <legend>Valid for</legend>
          {PRESETS.map((d) => (
            <label class="radio" key={d}>
              <input type="radio" name="valid-for" value={String(d)} checked={choice === String(d)} onChange={() => setChoice(String(d))} /> {d} days
            </label>
          ))}
          <label class="radio">
            <input type="radio" name="valid-for" value="custom" checked={choice === 'custom'} onChange={() => setChoice('custom')} /> Custom
          </label>
          {choice === 'custom' && (
            <div class="field-row">
              <label for="custom-days">Number of days (1 to {MAX_DAYS})</label>
              <input id="custom-days" type="number" min={1} max={MAX_DAYS} step={1} required value={custom} onInput={(e) => setCustom(e.currentTarget.value)} />
            </div>
          )}
        </fieldset>
        <div class="field-row">
          <label for="token-label">Label (optional)</label>
          <input id="token-label" maxLength={100} placeholder="e.g. Okta production" value={label} onInput={(e) => setLabel(e.currentTarget.value)} />
        </div>
        <ErrorNote error={action.error ?? (choice === 'custom' && custom !== '' && !validDays ? `Choose 1 to ${MAX_DAYS} days` : undefined)} />
        <div class="actions">
          <button type="button" onClick={() => onClose(false)}>
            Cancel
          </button>
          <button type="submit" class="primary" disabled={action.busy || !validDays}>
            Generate token
          </button>
        </div>
      </form>
    </Dialog>
  );
}
