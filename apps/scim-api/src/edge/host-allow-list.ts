const LOOPBACK_NAMES = new Set(['localhost', '127.0.0.1', '[::1]']);

/**
 * Whether a request's Host may become the origin of absolute URLs (Location, meta.location, SCIM
 * base URLs) when PUBLIC_URL is unset. An entry `name` allows that name on any port, `name:port`
 * that port only. Without ALLOWED_HOSTS, the loopback names on the port the request arrived at.
 */
export function hostAllowed(host: string, allowed: readonly string[] | undefined, localPort: number | undefined): boolean {
  const wanted = host.trim().toLowerCase();
  if (allowed === undefined) {
    // Checked on every request: no list is built for it.
    const name = nameOf(wanted);
    return localPort !== undefined && LOOPBACK_NAMES.has(name) && wanted === `${name}:${localPort}`;
  }
  return allowed.some((entry) => entry === wanted || (!hasPort(entry) && nameOf(wanted) === entry));
}

const hasPort = (host: string): boolean => /:\d+$/.test(host);
const nameOf = (host: string): string => host.replace(/:\d+$/, '');
