#!/usr/bin/env node
// Creates an account, enables SCIM and issues a bearer token on a running service, then prints
// one JSON object: what an admin pastes into Okta or Entra. Each run creates another account.
//
// Environment: SERVICE_URL (default http://localhost:$PORT, PORT default 8080), OPERATOR_KEY
// (default: read from $DATA_DIR/operator.key, DATA_DIR default ./data), ACCOUNT_NAME,
// TOKEN_VALID_DAYS (default 180).
'use strict';
const { readFileSync } = require('node:fs');
const { join, resolve } = require('node:path');

async function main() {
  const serviceUrl = (process.env.SERVICE_URL || `http://localhost:${process.env.PORT || 8080}`).replace(/\/+$/, '');
  const operatorKey = process.env.OPERATOR_KEY || readOperatorKey(resolve(process.env.DATA_DIR || 'data'));
  const validForDays = Number(process.env.TOKEN_VALID_DAYS || 180);
  const name = process.env.ACCOUNT_NAME || `Account ${new Date().toISOString()}`;

  const call = async (method, path, body) => {
    let response;
    try {
      response = await fetch(`${serviceUrl}${path}`, {
        method,
        headers: { authorization: `Bearer ${operatorKey}`, 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    } catch (error) {
      throw new Error(`cannot reach the service at ${serviceUrl} (is it running? start it with: npm start): ${error.cause?.code ?? error.message}`);
    }
    const text = await response.text();
    if (!response.ok) throw new Error(`${method} ${path} answered ${response.status}: ${text}`);
    return text ? JSON.parse(text) : undefined;
  };

  const account = await call('POST', '/admin/accounts', { name });
  const enabled = await call('POST', `/admin/accounts/${account.accountId}/scim/enable`);
  const token = await call('POST', `/admin/accounts/${account.accountId}/scim/tokens`, { validForDays, label: 'bootstrap' });
  process.stdout.write(
    `${JSON.stringify({
      accountId: account.accountId,
      accountName: account.name,
      scimBaseUrl: enabled.scimBaseUrl,
      token: token.token,
      tokenId: token.tokenId,
      expiresAt: token.expiresAt,
    })}\n`,
  );
}

function readOperatorKey(dataDir) {
  try {
    return readFileSync(join(dataDir, 'operator.key'), 'utf8').trim();
  } catch {
    throw new Error(`no OPERATOR_KEY set and no ${join(dataDir, 'operator.key')} found (start the service once, or set DATA_DIR/OPERATOR_KEY)`);
  }
}

main().catch((error) => {
  process.stderr.write(`bootstrap failed: ${error.message}\n`);
  process.exit(1);
});
