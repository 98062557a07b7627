/**
 * What the request edge must know about a route before any body byte is read: which credential
 * opens it and how large its body may be. Express matches routes case-insensitively, so these
 * patterns do too. A route the edge misjudges still meets its controller's guard, which refuses a
 * request without the right principal: a mistake here fails closed.
 */
export type Realm = 'scim' | 'admin' | 'audit' | 'support' | 'events';

/** Which of the configured body limits applies (BodyLimits). */
export type BodySize = 'user' | 'group' | 'small' | 'bulk';

export type EdgeRoute =
  | {
      readonly kind: 'guarded';
      readonly realm: Realm;
      readonly accountId: string | undefined;
      readonly body: BodySize;
      /** A bounded route label for the request log and metrics of a request refused before routing. */
      readonly label: string;
      /** Served without a credential too (discovery); one that is presented must be right. */
      readonly credentialOptional?: true;
    }
  /** Needs no credential and takes no body: discovery, the 501 endpoints, docs, console, health. */
  | { readonly kind: 'open' };

const OPEN: EdgeRoute = { kind: 'open' };
const SCIM = /^\/scim\/v2\/([^/]+)(?:\/([^/]*))?(\/.*)?$/i;
// RFC 7644 §4: discovery needs no authentication; /Me answers 501 to anyone.
const SCIM_DISCOVERY = new Set(['serviceproviderconfig', 'schemas', 'resourcetypes']);
const SCIM_UNSUPPORTED = new Set(['me']);
const SCIM_RESOURCES = new Map([
  ['users', 'Users'],
  ['groups', 'Groups'],
  ['.search', '.search'],
  ['bulk', 'Bulk'],
  ['serviceproviderconfig', 'ServiceProviderConfig'],
  ['schemas', 'Schemas'],
  ['resourcetypes', 'ResourceTypes'],
]);
const ADMIN_DOCS = /^\/admin\/docs(?:-json)?(?:\/|$)/i;
const ACCOUNT_API = /^\/(admin|audit|support)(?:\/accounts\/([^/]+))?(?:\/|$)/i;
const SUPPORT_CONSOLE = /^\/support\/console\/?$/i;
// Who a key is (the console signs in with a key alone): any admin, audit or support credential.
const ADMIN_SESSION = /^\/admin\/session\/?$/i;
// MembersDto takes up to 100,000 member ids: as large as a SCIM group push.
const ADMIN_GROUP_MEMBERS = /^\/admin\/accounts\/[^/]+\/groups\/[^/]+\/members\/?$/i;
const READS = new Set(['GET', 'HEAD']);
// Prometheus scrapes with the operator key (MetricsController is operator-only).
const METRICS = /^\/metrics\/?$/i;
// The events API: an events key of the account in the route.
const EVENTS_API = /^\/api\/v1\/accounts\/([^/]+)(?:\/|$)/i;

export function edgeRouteOf(method: string, path: string): EdgeRoute {
  const scim = SCIM.exec(path);
  if (scim) {
    const resource = (scim[2] ?? '').toLowerCase();
    if (SCIM_UNSUPPORTED.has(resource)) return OPEN;
    const label = `/scim/v2/:accountId/${SCIM_RESOURCES.get(resource) ?? '*'}${scim[3] ? '/*' : ''}`;
    // RFC 7644 §4 lets discovery go unauthenticated, but a wrong token is still refused, not ignored.
    if (SCIM_DISCOVERY.has(resource) && READS.has(method)) return { kind: 'guarded', realm: 'scim', accountId: decoded(scim[1]), body: 'small', label, credentialOptional: true };
    return { kind: 'guarded', realm: 'scim', accountId: decoded(scim[1]), body: scimBodySize(resource, scim[3]), label };
  }
  if (READS.has(method) && (ADMIN_DOCS.test(path) || SUPPORT_CONSOLE.test(path))) return OPEN;
  if (ADMIN_SESSION.test(path)) return { kind: 'guarded', realm: 'support', accountId: undefined, body: 'small', label: '/admin/session' };
  if (METRICS.test(path)) return { kind: 'guarded', realm: 'admin', accountId: undefined, body: 'small', label: '/metrics' };
  const events = EVENTS_API.exec(path);
  if (events) return { kind: 'guarded', realm: 'events', accountId: decoded(events[1]), body: 'small', label: '/api/v1/accounts/:accountId/*' };
  const api = ACCOUNT_API.exec(path);
  if (!api) return OPEN;
  const accountId = api[2] === undefined ? undefined : decoded(api[2]);
  const realm = api[1].toLowerCase() as Realm;
  const label = `/${realm}${accountId === undefined ? '' : '/accounts/:accountId'}/*`;
  return { kind: 'guarded', realm, accountId, body: ADMIN_GROUP_MEMBERS.test(path) ? 'group' : 'small', label };
}

function scimBodySize(resource: string, rest: string | undefined): BodySize {
  if (rest?.toLowerCase() === '/.search' || resource === '.search') return 'small';
  if (resource === 'users') return 'user';
  if (resource === 'groups') return 'group';
  if (resource === 'bulk') return 'bulk';
  return 'small';
}

/** Express decodes route parameters the same way; a malformed one names no account. */
function decoded(segment: string): string | undefined {
  try {
    return decodeURIComponent(segment);
  } catch {
    return undefined;
  }
}
