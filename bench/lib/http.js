'use strict';
// Small HTTP helpers for the orchestrator's own (non-load) requests.
const { execFile } = require('node:child_process');
const { join } = require('node:path');
const { ROOT } = require('./dist');

/** One request; resolves { status, body (parsed JSON or text), ms }. */
async function call(url, { method = 'GET', token, body, timeoutMs = 60_000 } = {}) {
  const started = performance.now();
  const response = await fetch(url, {
    method,
    headers: {
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...(body === undefined ? {} : { 'content-type': 'application/scim+json' }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(timeoutMs),
  });
  const text = await response.text();
  const ms = performance.now() - started;
  let parsed = text;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    // not JSON: keep the text
  }
  return { status: response.status, body: parsed, ms };
}

/** The project's own bootstrap script against a running service: account, SCIM on, one token. */
function bootstrap(service) {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      [join(ROOT, 'scripts', 'bootstrap.js')],
      { cwd: ROOT, env: { ...process.env, SERVICE_URL: service.url, OPERATOR_KEY: service.operatorKey, ACCOUNT_NAME: 'Benchmark' } },
      (error, stdout, stderr) => {
        if (error) return reject(new Error(`bootstrap failed: ${stderr || error.message}`));
        const account = JSON.parse(stdout);
        resolve({ ...account, basePath: `/scim/v2/${account.accountId}` });
      },
    );
  });
}

module.exports = { call, bootstrap };
