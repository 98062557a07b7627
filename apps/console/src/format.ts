import type { Actor } from './api';

/** Dates in the browser's locale and time zone. */
export const when = (iso: string | null | undefined): string => (iso ? new Date(iso).toLocaleString() : '—');
export const day = (iso: string | null | undefined): string => (iso ? new Date(iso).toLocaleDateString() : '—');

export const DAY_MS = 86_400_000;
export const daysUntil = (iso: string, now = Date.now()): number => Math.ceil((Date.parse(iso) - now) / DAY_MS);

/** Names for the ids in the history: tokens and admin keys by label (ids stay for the unlabelled). */
export interface Labels {
  readonly tokens: ReadonlyMap<string, string>;
  readonly adminKeys: ReadonlyMap<string, string>;
}

export const noLabels: Labels = { tokens: new Map(), adminKeys: new Map() };

export const tokenName = (labels: Labels, tokenId: string): string => {
  const label = labels.tokens.get(tokenId);
  return label ? `token "${label}"` : `token ${tokenId.slice(0, 8)}`;
};

export function actorName(labels: Labels, actor: Actor | undefined): string {
  switch (actor?.kind) {
    case 'scim-token':
      return `the identity provider (${tokenName(labels, actor.tokenId)})`;
    case 'account-admin': {
      const label = labels.adminKeys.get(actor.adminId);
      return label ? `admin key "${label}"` : `admin key ${actor.adminId.slice(0, 8)}`;
    }
    case 'operator':
      return 'the platform operator';
    case 'system':
      return actor.process === 'roles-via-groups' ? 'the role mapping' : `the service (${actor.process})`;
    default:
      return 'someone unrecorded';
  }
}
