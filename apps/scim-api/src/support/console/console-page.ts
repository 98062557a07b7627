import { createHash } from 'node:crypto';

/*
 * The support console: one static page, vanilla JS, no build step. It is a TS module so `tsc`
 * carries it into dist with nothing else to copy. Everything shown comes from the support API and
 * is rendered with textContent / createElement only (never innerHTML), so data cannot become markup.
 * The script and style are inline and allowed by their hashes in the Content-Security-Policy.
 */

const STYLE = `
  :root { font-family: system-ui, sans-serif; color: #1d2330; background: #f6f7f9; }
  body { margin: 0 auto; max-width: 72rem; padding: 1rem 1.5rem 3rem; }
  h1 { font-size: 1.4rem; } h2 { font-size: 1.15rem; margin-top: 2rem; } h3 { font-size: 1rem; margin-top: 1.5rem; }
  form { display: flex; gap: .5rem; flex-wrap: wrap; align-items: end; margin: .5rem 0; }
  label { display: flex; flex-direction: column; font-size: .85rem; gap: .2rem; }
  label.inline { flex-direction: row; align-items: center; }
  input[type=text], input[type=password] { padding: .35rem .5rem; min-width: 16rem; font: inherit; }
  button { padding: .4rem .8rem; font: inherit; cursor: pointer; }
  table { border-collapse: collapse; width: 100%; background: #fff; font-size: .88rem; }
  th, td { text-align: left; vertical-align: top; border-bottom: 1px solid #dde1e7; padding: .35rem .5rem; }
  ul.sources { margin: 0; padding-left: 1.1rem; } ul.sources li { margin-bottom: .25rem; }
  .muted { color: #5b6474; } .ended { color: #8a3b12; } .status { min-height: 1.4rem; }
  .error { color: #a4161a; } .pill { display: inline-block; padding: 0 .4rem; border-radius: .6rem; background: #e3e8ef; font-size: .8rem; }
  ul.results { list-style: none; padding: 0; } ul.results li { margin: .2rem 0; }
  code { font-size: .8rem; }
`;

const SCRIPT = `
'use strict';
(function () {
  var KEY = 'scim-support.credential';
  var ACCOUNT = 'scim-support.account';
  var $ = function (id) { return document.getElementById(id); };

  /** Builds an element; strings become text nodes, so nothing rendered is ever parsed as HTML. */
  function el(tag, attrs) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (name) { node.setAttribute(name, attrs[name]); });
    for (var i = 2; i < arguments.length; i++) {
      var child = arguments[i];
      if (child === null || child === undefined) continue;
      node.appendChild(typeof child === 'string' ? document.createTextNode(child) : child);
    }
    return node;
  }
  function clear(node) { while (node.firstChild) node.removeChild(node.firstChild); }
  function status(text, isError) { var s = $('status'); s.textContent = text; s.className = 'status' + (isError ? ' error' : ''); }

  function credential() { return sessionStorage.getItem(KEY) || ''; }
  function account() { return sessionStorage.getItem(ACCOUNT) || ''; }

  function api(path) {
    return fetch('/support/accounts/' + encodeURIComponent(account()) + path, {
      headers: { Authorization: 'Bearer ' + credential(), Accept: 'application/json' },
      cache: 'no-store',
    }).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (body) {
        if (!response.ok) throw new Error((body && body.detail) || ('HTTP ' + response.status));
        return body;
      });
    });
  }

  function actor(a) {
    if (!a) return 'unknown';
    if (a.kind === 'scim-token') return 'SCIM token ' + a.tokenId;
    if (a.kind === 'account-admin') return 'admin key ' + a.adminId;
    if (a.kind === 'operator') return 'platform operator';
    if (a.kind === 'system') return 'system process ' + a.process;
    return a.kind;
  }
  function step(s) { return s ? s.at + ' by ' + actor(s.actor) + ' (request ' + s.correlationId + ')' : 'unknown'; }
  function groupName(g) { return g.displayName === null ? 'group ' + g.groupId + ' (history not found)' : '"' + g.displayName + '"' + (g.status === 'deleted' ? ' (deleted)' : ''); }
  var REASONS = {
    'removed-manually': 'removed manually',
    'membership-removed': 'removed from the group',
    'mapping-changed': "the group's role mapping dropped it",
    'group-deleted': 'the group was deleted',
  };

  function sourceText(source, role) {
    if (source.kind === 'manual') return 'Manual: assigned ' + step(source.assigned);
    if (source.kind === 'pre-existing-at-conversion') {
      return 'Pre-existing at conversion: assigned ' + step(source.assigned) + '; kept when converted to SCIM ' + step(source.converted);
    }
    var parts = ['Via group ' + groupName(source.group) + ': granted ' + source.granted.at];
    parts.push(source.membership ? 'member since ' + step(source.membership) : 'membership not found');
    parts.push(source.mapping ? 'group mapped to ' + role + ' ' + step(source.mapping) : 'mapping not found');
    if (source.trigger !== 'unknown') parts.push('triggered by ' + (source.trigger === 'membership-added' ? 'the membership' : 'the mapping change'));
    return parts.join('; ');
  }
  function endedText(source, role) {
    var end = source.ended;
    var text = sourceText(source, role) + '. Ended ' + end.step.at + ': ' + (REASONS[end.reason] || end.reason);
    if (end.reason === 'removed-manually') return text + ' by ' + actor(end.step.actor) + ' (request ' + end.step.correlationId + ')';
    return text + (end.cause ? ' (' + step(end.cause) + ')' : '');
  }

  function renderExplanation(x) {
    $('user').hidden = false;
    $('user-title').textContent = (x.userName || x.userId) + ' ';
    $('user-title').appendChild(el('span', { class: 'pill', 'data-testid': 'user-status' }, x.status));
    var summary = [x.source === 'SCIM' ? 'SCIM-managed' : 'manual user', 'id ' + x.userId];
    if (x.created) summary.push('created ' + step(x.created));
    if (x.converted) summary.push('converted to SCIM ' + step(x.converted));
    summary.push('effective roles: ' + (x.effectiveRoles.length ? x.effectiveRoles.join(', ') : 'none'));
    $('user-summary').textContent = summary.join(' · ');
    var notes = $('notes'); clear(notes);
    (x.notes || []).forEach(function (n) { notes.appendChild(el('li', {}, n)); });

    var roles = $('roles-body'); clear(roles);
    if (!x.roles.length) roles.appendChild(el('tr', {}, el('td', { colspan: '3', class: 'muted' }, 'No role held.')));
    x.roles.forEach(function (r) {
      var list = el('ul', { class: 'sources' });
      r.sources.forEach(function (s) { list.appendChild(el('li', { 'data-kind': s.kind }, sourceText(s, r.role))); });
      r.ended.forEach(function (s) { list.appendChild(el('li', { class: 'ended', 'data-kind': 'ended' }, endedText(s, r.role))); });
      roles.appendChild(el('tr', { 'data-role': r.role }, el('td', {}, r.role), el('td', {}, r.effective ? 'yes' : 'no (user not active)'), el('td', {}, list)));
    });

    var former = $('former-body'); clear(former);
    if (!x.formerRoles.length) former.appendChild(el('tr', {}, el('td', { colspan: '2', class: 'muted' }, 'None.')));
    x.formerRoles.forEach(function (r) {
      var list = el('ul', { class: 'sources' });
      r.ended.forEach(function (s) { list.appendChild(el('li', { class: 'ended' }, endedText(s, r.role))); });
      former.appendChild(el('tr', { 'data-former-role': r.role }, el('td', {}, r.role), el('td', {}, list)));
    });
  }

  function renderTimeline(t) {
    var body = $('timeline-body'); clear(body);
    t.events.forEach(function (e) {
      body.appendChild(el('tr', { 'data-type': e.type },
        el('td', {}, e.at), el('td', {}, e.summary), el('td', {}, el('code', {}, e.type)), el('td', {}, actor(e.actor)), el('td', {}, el('code', {}, e.correlationId))));
    });
  }

  function showUser(userId) {
    status('Loading ' + userId + '…');
    Promise.all([api('/users/' + encodeURIComponent(userId) + '/explain'), api('/users/' + encodeURIComponent(userId) + '/timeline')])
      .then(function (answers) { renderExplanation(answers[0]); renderTimeline(answers[1]); status(''); })
      .catch(function (e) { status(e.message, true); });
  }

  function search(event) {
    event.preventDefault();
    var userName = $('userName').value.trim();
    if (!userName) return;
    status('Searching…');
    var query = '/users?userName=' + encodeURIComponent(userName) + ($('includeDeleted').checked ? '&includeDeleted=true' : '');
    api(query).then(function (users) {
      var list = $('results'); clear(list);
      if (!users.length) { status('No user whose userName starts with "' + userName + '".'); return; }
      users.forEach(function (u) {
        var button = el('button', { type: 'button', 'data-user-id': u.userId }, u.userName);
        button.addEventListener('click', function () { showUser(u.userId); });
        list.appendChild(el('li', {}, button, ' ', el('span', { class: 'muted' }, u.source + ', ' + u.status)));
      });
      status('');
      if (users.length === 1) showUser(users[0].userId);
    }).catch(function (e) { status(e.message, true); });
  }

  function loadActivity() {
    api('/activity?limit=50').then(function (answer) {
      var body = $('activity-body'); clear(body);
      if (!answer.requests.length) body.appendChild(el('tr', {}, el('td', { colspan: '4', class: 'muted' }, 'No IdP request recorded.')));
      answer.requests.forEach(function (r) {
        var outcomes = el('ul', { class: 'sources' });
        r.items.forEach(function (i) {
          outcomes.appendChild(el('li', { 'data-outcome': i.outcome },
            el('strong', {}, i.outcome), ' ' + i.resourceType + ' ' + (i.name || i.resourceId || '') + (i.detail ? ': ' + i.detail : '')));
        });
        if (r.roleChanges.granted || r.roleChanges.revoked) {
          outcomes.appendChild(el('li', { class: 'muted' }, 'roles via groups: ' + r.roleChanges.granted + ' granted, ' + r.roleChanges.revoked + ' revoked, ' + r.roleChanges.users + ' user(s)'));
        }
        body.appendChild(el('tr', { 'data-correlation-id': r.correlationId },
          el('td', {}, r.at), el('td', {}, r.tokenIds.join(', ')), el('td', {}, el('code', {}, r.correlationId)), el('td', {}, outcomes)));
      });
    }).catch(function (e) { status(e.message, true); });
  }

  function showWork() {
    var signedIn = credential() !== '' && account() !== '';
    $('login').hidden = signedIn;
    $('work').hidden = !signedIn;
    if (signedIn) { $('account-label').textContent = account(); loadActivity(); }
  }

  $('credentials').addEventListener('submit', function (event) {
    event.preventDefault();
    sessionStorage.setItem(KEY, $('credential').value.trim());
    sessionStorage.setItem(ACCOUNT, $('accountId').value.trim());
    $('credential').value = '';
    showWork();
  });
  $('forget').addEventListener('click', function () { sessionStorage.removeItem(KEY); sessionStorage.removeItem(ACCOUNT); $('user').hidden = true; showWork(); });
  $('search').addEventListener('submit', search);
  $('refresh-activity').addEventListener('click', loadActivity);
  showWork();
})();
`;

const hash = (text: string): string => `'sha256-${createHash('sha256').update(text).digest('base64')}'`;

export const CONSOLE_CSP = [
  "default-src 'none'",
  `script-src ${hash(SCRIPT)}`,
  `style-src ${hash(STYLE)}`,
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

export const CONSOLE_HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>Support console · SCIM provisioning</title>
<style>${STYLE}</style>
</head>
<body>
<h1>Support console</h1>
<p class="muted">Why does a user have these roles? Everything below is reconstructed from the account's event history.</p>

<section id="login">
  <form id="credentials" autocomplete="off">
    <label>Credential (operator key or the account's admin key)<input id="credential" type="password" required></label>
    <label>Account id<input id="accountId" type="text" required></label>
    <button type="submit">Open account</button>
  </form>
  <p class="muted">The credential is kept in this tab's session storage only.</p>
</section>

<section id="work" hidden>
  <p>Account <code id="account-label"></code> <button id="forget" type="button">Forget credential</button></p>
  <form id="search">
    <label>userName starts with<input id="userName" type="text" required></label>
    <label class="inline"><input id="includeDeleted" type="checkbox"> include deleted users</label>
    <button type="submit">Search</button>
  </form>
  <ul id="results" class="results"></ul>

  <section id="user" hidden>
    <h2 id="user-title"></h2>
    <p id="user-summary" class="muted"></p>
    <ul id="notes"></ul>
    <h3>Roles and where they come from</h3>
    <table id="roles"><thead><tr><th>role</th><th>in effect</th><th>provenance</th></tr></thead><tbody id="roles-body"></tbody></table>
    <h3>Roles no longer held</h3>
    <table id="former-roles"><thead><tr><th>role</th><th>how it ended</th></tr></thead><tbody id="former-body"></tbody></table>
    <h3>Timeline</h3>
    <table id="timeline"><thead><tr><th>time (UTC)</th><th>what</th><th>event</th><th>by</th><th>request id</th></tr></thead><tbody id="timeline-body"></tbody></table>
  </section>

  <h2>Recent provisioning activity <button id="refresh-activity" type="button">Refresh</button></h2>
  <table id="activity"><thead><tr><th>time (UTC)</th><th>token</th><th>request id</th><th>outcome</th></tr></thead><tbody id="activity-body"></tbody></table>
</section>

<p id="status" class="status" role="status"></p>
<script>${SCRIPT}</script>
</body>
</html>
`;
