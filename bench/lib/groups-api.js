'use strict';
// How the benchmark reaches groups and roles. SCIM /Groups is RFC 7644 and needs no guessing; the
// admin API for group→role mappings and effective roles is the service's own, so it is found in
// the service's OpenAPI document when there is one, else among the conventional paths below.
// When an endpoint is not there, the scenarios that need it are skipped with the reason printed.
//
// If the admin API lands under other paths, add them to CANDIDATES (or expose an OpenAPI document).
const { call } = require('./http');

const OPENAPI_DOCUMENTS = ['/api-json', '/docs-json', '/openapi.json', '/swagger-json', '/api/docs-json', '/admin/docs-json', '/admin/api-json'];

const CANDIDATES = {
  // PUT {roles: [...]} maps a SCIM group to roles (README: PUT …/groups/{id}/roles).
  mapping: [
    ['PUT', '/admin/accounts/{accountId}/groups/{groupId}/roles'],
    ['PUT', '/admin/accounts/{accountId}/groups/{groupId}/role-mapping'],
    ['POST', '/admin/accounts/{accountId}/groups/{groupId}/roles'],
  ],
  // GET: the user with its effective roles (any JSON that names the role will do).
  effective: [
    ['GET', '/admin/accounts/{accountId}/users/{userId}/effective-roles'],
    ['GET', '/admin/accounts/{accountId}/users/{userId}/roles'],
    ['GET', '/admin/accounts/{accountId}/users/{userId}'],
  ],
  // POST {role}: adds a role to the account's catalogue, which a mapping may require.
  catalogue: [['POST', '/admin/accounts/{accountId}/roles']],
};

/** Is SCIM /Groups served? Resolves { available, reason }. */
async function probeGroups(service, account) {
  const response = await call(`${service.url}${account.basePath}/Groups?count=1`, { token: account.token });
  if (response.status === 200) return { available: true };
  return {
    available: false,
    reason: `GET ${account.basePath}/Groups answered ${response.status} (SCIM /Groups is not served yet)`,
  };
}

/**
 * Finds the role endpoints. Resolves { available: true, ensureRole, mapRoles, rolesOf } or
 * { available: false, reason }.
 */
async function discoverRoles(service, account) {
  const operator = (method, path, body) => call(`${service.url}${path}`, { method, token: service.operatorKey, body });
  const fill = (template, ids) =>
    template
      .replace(/\{accountId\}|:accountId/g, ids.accountId)
      .replace(/\{groupId\}|:groupId/g, ids.groupId ?? '')
      .replace(/\{userId\}|:userId/g, ids.userId ?? '');

  const found = { ...CANDIDATES };
  for (const path of OPENAPI_DOCUMENTS) {
    const response = await operator('GET', path).catch(() => undefined);
    if (response?.status === 200 && response.body && typeof response.body.paths === 'object') {
      Object.assign(found, fromOpenApi(response.body.paths));
      break;
    }
  }

  // A probe group: mapping it must not 404 (a 400 tells the body shape is wrong, also worth saying).
  const group = await call(`${service.url}${account.basePath}/Groups`, {
    method: 'POST',
    token: account.token,
    body: { schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'], displayName: `bench role probe ${Date.now()}` },
  });
  if (group.status !== 201) return { available: false, reason: `creating a probe group answered ${group.status}` };
  const ids = { accountId: account.accountId, groupId: group.body.id };
  const role = `bench-probe-${Date.now()}`;

  // The catalogue's body: {role} (DefineRoleDto) or, elsewhere, {name}.
  let catalogue;
  for (const [method, template] of found.catalogue) {
    for (const body of [{ role }, { name: role }]) {
      const response = await operator(method, fill(template, ids), body);
      if (response.status < 300) {
        catalogue = { method, template, field: Object.keys(body)[0] };
        break;
      }
    }
    if (catalogue) break;
  }
  let mapping;
  const tried = [];
  for (const [method, template] of found.mapping) {
    const response = await operator(method, fill(template, ids), { roles: [role] });
    tried.push(`${method} ${template} → ${response.status}`);
    if (response.status < 300) {
      mapping = [method, template];
      break;
    }
  }
  if (!mapping) return { available: false, reason: `no group→role mapping endpoint answered: ${tried.join('; ')}` };

  const effectiveTried = [];
  let effective;
  for (const [method, template] of found.effective) {
    // Any user id: a 404 for an unknown user still differs from a missing route by its SCIM/JSON body.
    const response = await operator(method, fill(template, { ...ids, userId: '00000000-0000-4000-8000-000000000000' }));
    effectiveTried.push(`${method} ${template} → ${response.status}`);
    const isRouteMissing = response.status === 404 && /Cannot (GET|POST)/.test(JSON.stringify(response.body));
    if (!isRouteMissing && response.status !== 405) {
      effective = [method, template];
      break;
    }
  }
  if (!effective) return { available: false, reason: `no effective-roles endpoint found: ${effectiveTried.join('; ')}` };

  return {
    available: true,
    describe: `${mapping.join(' ')}, ${effective.join(' ')}${catalogue ? `, ${catalogue.method} ${catalogue.template}` : ''}`,
    async ensureRole(name) {
      if (catalogue) await operator(catalogue.method, fill(catalogue.template, ids), { [catalogue.field]: name });
    },
    async mapRoles(groupId, roles) {
      const response = await operator(mapping[0], fill(mapping[1], { ...ids, groupId }), { roles });
      if (response.status >= 300) throw new Error(`mapping roles answered ${response.status}: ${JSON.stringify(response.body)}`);
    },
    /** How many users of the account hold `roleName` now (the admin users list filtered by role, counted). */
    async holders(roleName) {
      const response = await operator('GET', fill('/admin/accounts/{accountId}/users', ids) + `?role=${encodeURIComponent(roleName)}&count=0`);
      if (response.status !== 200) throw new Error(`counting holders of ${roleName} answered ${response.status}: ${JSON.stringify(response.body)}`);
      return response.body.totalResults;
    },
    /** True once the user's effective roles name `roleName` (the response shape does not matter). */
    async hasRole(userId, roleName) {
      const response = await operator(effective[0], fill(effective[1], { ...ids, userId }));
      return response.status === 200 && JSON.stringify(response.body).includes(`"${roleName}"`);
    },
  };
}

/** Endpoints named by an OpenAPI document's paths (Nest's {param} templates). */
function fromOpenApi(paths) {
  const entries = Object.entries(paths);
  const pick = (test, methods) =>
    entries.flatMap(([path, operations]) =>
      methods.filter((method) => operations[method.toLowerCase()] && test(path)).map((method) => [method, path]),
    );
  const mapping = pick((path) => /groups\/\{[^}]+\}\/role/i.test(path), ['PUT', 'POST', 'PATCH']);
  // Most specific first: …/effective-roles, …/roles, then the user itself.
  const specificity = (path) => (/effective/i.test(path) ? 2 : /roles$/i.test(path) ? 1 : 0);
  const effective = pick((path) => /accounts\/\{[^}]+\}\/users\/\{[^}]+\}(\/(effective-?)?roles)?$/i.test(path), ['GET']).sort(
    ([, a], [, b]) => specificity(b) - specificity(a),
  );
  const catalogue = pick((path) => /accounts\/\{[^}]+\}\/roles$/i.test(path), ['POST']);
  const normalise = (list) => list.map(([method, path]) => [method, path.replace(/\{(account|group|user)[^}]*\}/gi, (_, kind) => `{${kind.toLowerCase()}Id}`)]);
  return {
    ...(mapping.length ? { mapping: normalise(mapping) } : {}),
    ...(effective.length ? { effective: normalise(effective) } : {}),
    ...(catalogue.length ? { catalogue: normalise(catalogue) } : {}),
  };
}

module.exports = { probeGroups, discoverRoles };
