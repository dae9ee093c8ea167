// The fleet web UI (docs/guides/fleet-ui.md): a page of plain JavaScript over the admin API, served by the vendor server
// on its admin listener with every asset local. Text from the server is only ever set as text (never as HTML).
'use strict';

const api = '/api/v1';
const main = document.getElementById('main');
let refresh = null;   // the live view's timer, stopped when the page changes

// ---- the admin API, with the token the operator signed in with (kept for this tab only) ----

function token() { return sessionStorage.getItem('token'); }

async function call(method, path, body) {
  const headers = { Authorization: 'Bearer ' + token() };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  const answer = await fetch(api + path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await answer.text();
  const json = text ? JSON.parse(text) : null;
  if (answer.status === 401) {
    signOut('The server refused the token (mistyped, or revoked): ' + ((json && json.detail) || answer.statusText));
    throw new Error('signed out');
  }
  if (!answer.ok) throw new Error((json && (json.detail || json.title)) || answer.statusText);
  return json;
}
const get = path => call('GET', path);

// ---- building the page: elements with text, never HTML ----

function el(tag, attrs, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith('on')) e.addEventListener(k.slice(2), v);
    else if (k === 'class') e.className = v;
    else if (k === 'style') e.style.cssText = v;   // through the CSSOM: the CSP allows no style attributes
    else e.setAttribute(k, v === true ? '' : v);
  }
  for (const c of children.flat()) if (c !== null && c !== undefined && c !== false) e.append(c instanceof Node ? c : String(c));
  return e;
}
const state = s => el('span', { class: 'state ' + s, 'data-state': s }, s);
const when = t => t ? new Date(t).toLocaleString() : '—';
const link = (href, text) => el('a', { href }, text);
function table(headers, rows, empty) {
  if (!rows.length) return el('p', { class: 'muted' }, empty || 'Nothing yet.');
  return el('table', {}, el('thead', {}, el('tr', {}, headers.map(h => el('th', {}, h)))),
    el('tbody', {}, rows.map(r => el('tr', {}, r.map(c => c instanceof Node ? el('td', {}, c) : el('td', typeof c === 'number' ? { class: 'num' } : {}, c ?? '—'))))));
}
function show(...nodes) { main.replaceChildren(...nodes); }
function failure(e) { return el('p', { class: 'error', role: 'alert' }, e.message); }
function counts(byState) { return Object.entries(byState || {}).map(([s, n]) => `${s} ${n}`).join(', ') || '—'; }
function bar(byState, total) {
  const order = ['succeeded', 'already-current', 'verifying', 'downloading', 'installing', 'rebooting', 'rolling-back', 'rolled-back', 'failed', 'fell-back'];
  const all = total || Object.values(byState || {}).reduce((a, b) => a + b, 0) || 1;
  return el('div', { class: 'bar', title: counts(byState) },
    order.filter(s => byState && byState[s]).map(s => el('span', { class: s, style: `width:${100 * byState[s] / all}%` })));
}

// ---- sign-in ----

function signOut(why) {
  sessionStorage.removeItem('token');
  if (why) sessionStorage.setItem('why', why);
  if (location.hash === '#/signin') signIn(); else location.hash = '#/signin';
}

function signIn() {
  document.getElementById('nav').hidden = true;
  document.getElementById('who').textContent = '';
  const input = el('input', { id: 'token', type: 'password', autocomplete: 'off', required: true, 'aria-label': 'Admin token' });
  const problem = el('p', { class: 'error', role: 'alert' }, sessionStorage.getItem('why') || '');
  sessionStorage.removeItem('why');
  show(el('form', { class: 'signin', onsubmit: async ev => {
    ev.preventDefault();
    sessionStorage.setItem('token', input.value.trim());
    try { await whoami(); location.hash = '#/'; }
    catch (e) { if (e.message !== 'signed out') problem.textContent = e.message; }
  } }, el('h1', {}, 'Sign in'), el('p', { class: 'muted' }, 'An admin token ("cpe-vendor-server token", or one an administrator made for you).'),
    el('label', {}, 'Admin token', input), el('button', { type: 'submit' }, 'Sign in'), problem));
  input.focus();
}

async function whoami() {
  const me = await get('/whoami');
  document.getElementById('nav').hidden = false;
  document.getElementById('who').replaceChildren(`${me.name} (${me.role})`, el('button', { class: 'secondary', onclick: () => signOut() }, 'Sign out'));
  return me;
}

// ---- dashboard ----

async function dashboard() {
  const s = await get('/summary');
  const card = (n, label, href) => el('a', { class: 'card', href: href || '#/devices' },
    el('div', { class: 'n' }, n.toLocaleString()), el('div', { class: 'l' }, label));
  show(el('h1', {}, 'Fleet'),
    el('div', { class: 'cards', id: 'device-cards' },
      card(s.enrolled, 'enrolled', '#/devices?state=enrolled'), card(s.online, `checked in within ${s.onlineMinutes} min`),
      card(s.silent, 'silent for longer'), card(s.neverSeen, 'never checked in'), card(s.alarmed, 'with major or critical alarms'),
      card(s.revoked, 'revoked', '#/devices?state=revoked')),
    el('div', { class: 'grid2' },
      el('div', {}, el('h2', {}, 'Firmware versions'),
        table(['version', 'devices'], s.versions.map(v => [v.reported ? link('#/devices?version=' + encodeURIComponent(v.version), v.version) : v.version, v.count]))),
      el('div', {}, el('h2', {}, 'Active deployments'),
        table(['deployment', 'status', 'phase', 'progress'], s.deployments.map(d => [link('#/deployments/' + d.id, d.name), state(d.status),
          `${d.phase} of ${d.phases.length}`, bar(d.devices)]), 'No deployment is running.'))));
  refresh = setTimeout(route, 10000);
}

// ---- devices ----

async function devices(params) {
  const filters = ['q', 'group', 'state', 'site', 'version'];
  const query = new URLSearchParams();
  for (const f of filters) if (params.get(f)) query.set(f, params.get(f));
  query.set('limit', '50');
  if (params.get('after')) query.set('after', params.get('after'));
  const list = await get('/devices?' + query);
  const inputs = Object.fromEntries(filters.map(f => [f, f === 'state'
    ? el('select', { name: f }, ['', 'enrolled', 'revoked'].map(v => el('option', { value: v, selected: params.get(f) === v }, v || 'any')))
    : el('input', { name: f, value: params.get(f) || '', placeholder: f === 'q' ? 'serial starts with…' : '' })]));
  const go = after => {
    const next = new URLSearchParams();
    for (const f of filters) if (inputs[f].value) next.set(f, inputs[f].value);
    if (after) next.set('after', after);
    location.hash = '#/devices?' + next;
  };
  show(el('h1', {}, 'Devices'),
    el('form', { class: 'filters', onsubmit: ev => { ev.preventDefault(); go(); } },
      el('label', {}, 'Serial', inputs.q), el('label', {}, 'Group', inputs.group), el('label', {}, 'State', inputs.state),
      el('label', {}, 'Site', inputs.site), el('label', {}, 'Firmware', inputs.version), el('button', { type: 'submit' }, 'Search')),
    table(['serial', 'group', 'site', 'state', 'onboarding', 'firmware', 'last check-in', 'alarms'],
      list.map(d => [link('#/devices/' + encodeURIComponent(d.serial), d.serial), d.group, d.site, state(d.state), d.onboarding,
        d.lastCheckIn ? d.lastCheckIn.osVersion : null, d.lastCheckIn ? when(d.lastCheckIn.time) : null, d.alarms.length ? d.alarms.join('; ') : '']),
      'No device matches.'),
    el('div', { class: 'toolbar' },
      params.get('after') ? el('button', { class: 'secondary', onclick: () => go() }, 'First page') : null,
      list.length === 50 ? el('button', { class: 'secondary', id: 'next-page', onclick: () => go(list[list.length - 1].serial) }, 'Next page') : null));
}

async function device(serial) {
  const s = encodeURIComponent(serial);
  const [d, progress, checkIns, history] = await Promise.all([get(`/devices/${s}`), get(`/devices/${s}/progress`),
    get(`/devices/${s}/check-ins?limit=20`), get(`/devices/${s}/deployments`)]);
  let inventory = null;
  try { inventory = await get(`/devices/${s}/inventory`); } catch { /* none reported yet */ }
  const last = checkIns[0];
  const software = last && last.software;
  const fallbacks = checkIns.filter(c => c.firmwareFailure).map(c => c.firmwareFailure)
    .filter((f, i, all) => all.findIndex(g => g.version === f.version && g.reason === f.reason) === i);
  show(el('h1', {}, 'Device ', serial, ' ', state(d.state)),
    el('p', { class: 'muted' }, `group ${d.group || '—'} · site ${d.site || '—'} · labels ${d.labels.join(', ') || '—'} · enrolled ${when(d.enrolledAt)} · last seen ${when(d.lastSeen)}`),
    el('div', { class: 'grid2' },
      el('div', {}, el('h2', {}, 'Slots and versions'),
        software ? table(['slot', 'state', 'version', ''], software.slots.map(x => [x.slot, state(x.state), x.version,
          x.slot === software['booted-slot'] ? `booted (${software.health})` : ''])) : el('p', { class: 'muted' }, last ? `runs ${last.osVersion} (no A/B slots)` : 'No check-in yet.'),
        el('h2', {}, 'VNFs'),
        last && last.vnfs ? table(['instance', 'VNF', 'package', 'state'], last.vnfs.instances.map(i => [i.instance, i.vnf, i.package, state(i.state)]),
          `No VNF configured; packages: ${last.vnfs.packages.join(', ') || 'none'}.`) : el('p', { class: 'muted' }, 'No VNFs reported.'),
        el('h2', {}, 'Fallbacks and refusals'),
        table(['version', 'reason', 'time'], [...fallbacks.map(f => [f.version, f.reason, when(f.time)]),
          ...((last && last.vnfFailures) || []).map(f => [`VNF ${f.name}:${f.version}`, f.reason, when(f.time)])], 'None reported.')),
      el('div', {}, el('h2', {}, 'Onboarding'),
        table(['time', 'report', 'message'], progress.map(p => [when(p.time), p.type, p.message]), 'No RFC 8572 progress report yet.'))),
    el('h2', {}, 'Deployments'),
    table(['deployment', 'phase', 'state', 'why', 'bytes', 'updated'], history.map(m => [link('#/deployments/' + m.deployment, '#' + m.deployment), m.phase,
      state(m.state), m.reason, m.bytes, when(m.updatedAt)]), 'In no deployment.'),
    el('h2', {}, 'Check-ins'),
    table(['time', 'firmware', 'fleet revision', 'result'], checkIns.map(c => [when(c.time), c.osVersion, c.fleetRevision, c.lastResult])),
    el('h2', {}, 'Inventory'), inventory ? el('pre', {}, JSON.stringify(inventory, null, 2)) : el('p', { class: 'muted' }, 'None reported yet.'));
}

// ---- deployments ----

// What a deployment changes: firmware, configuration revision, VNF package versions.
const what = d => [d.firmware ? 'firmware ' + d.firmwareVersion : null, d.configRevision ? 'configuration r' + d.configRevision : null,
  ...(d.spec.vnfs || []).map(v => `VNF ${v.name}:${v.version}`)].filter(Boolean);

async function deployments() {
  const list = await get('/deployments?limit=100');
  show(el('h1', {}, 'Deployments'), el('div', { class: 'toolbar' }, el('a', { href: '#/deployments/new' }, el('button', { type: 'button' }, 'New deployment'))),
    table(['#', 'name', 'what', 'status', 'phase', 'devices', 'progress', 'created'], list.map(d => [d.id, link('#/deployments/' + d.id, d.name),
      what(d).join(' + '),
      state(d.status), `${d.phase} of ${d.phases.length}`, counts(d.devices), bar(d.devices, d.targetSize), `${when(d.createdAt)} by ${d.createdBy}`])));
  refresh = setTimeout(route, 5000);
}

async function newDeployment() {
  const [images, packages] = await Promise.all([get('/images'), get('/vnf-packages')]);
  const f = {
    vnfs: el('select', { id: 'd-vnfs', multiple: true, size: Math.min(6, Math.max(2, packages.length)) },
      packages.map(p => el('option', { value: `${p.name}:${p.version}` }, `${p.name} ${p.version}`))),
    name: el('input', { id: 'd-name', required: true }),
    firmware: el('select', { id: 'd-firmware' }, el('option', { value: '' }, 'none'), images.map(i => el('option', { value: i.name }, `${i.name} (${i.osVersion})`))),
    configuration: el('textarea', { id: 'd-configuration', placeholder: '{"schema-version": 1, "system": {"host-name": "…"}}' }),
    handling: el('select', { id: 'd-handling' }, el('option', { value: 'merge' }, 'merge'), el('option', { value: 'replace' }, 'replace')),
    group: el('input', { id: 'd-group' }), site: el('input', { id: 'd-site' }), labels: el('input', { id: 'd-labels', placeholder: 'a, b' }),
    osVersion: el('input', { id: 'd-os-version' }), serials: el('textarea', { id: 'd-serials', placeholder: 'one serial per line' }),
    phases: el('input', { id: 'd-phases', value: '1, 10%, 100%', 'aria-label': 'Phases' }),
    bake: el('input', { id: 'd-bake', type: 'number', min: 0, value: 600 }),
    thresholdCount: el('input', { id: 'd-threshold-count', type: 'number', min: 1, placeholder: 'count' }),
    thresholdPercent: el('input', { id: 'd-threshold-percent', type: 'number', min: 0, max: 100, step: 'any', placeholder: '%' }),
    sample: el('input', { id: 'd-sample', type: 'number', min: 1, value: 1 }),
    rollback: el('input', { id: 'd-rollback', type: 'checkbox' }),
    rate: el('input', { id: 'd-rate', type: 'number', min: 1 }), siteDownloads: el('input', { id: 'd-site-downloads', type: 'number', min: 1 }),
    windowStart: el('input', { id: 'd-window-start', placeholder: 'HH:MM' }), windowEnd: el('input', { id: 'd-window-end', placeholder: 'HH:MM' }),
    unhealthy: el('input', { id: 'd-unhealthy', placeholder: 'link-down, …' }),
  };
  const problem = el('p', { class: 'error', role: 'alert' });
  const words = s => s.split(/[\s,]+/).filter(Boolean);
  const number = i => i.value === '' ? undefined : Number(i.value);
  const submit = async ev => {
    ev.preventDefault();
    problem.textContent = '';
    const target = {};
    if (f.group.value) target.group = f.group.value;
    if (f.site.value) target.site = f.site.value;
    if (f.osVersion.value) target.osVersion = f.osVersion.value;
    if (f.labels.value) target.labels = words(f.labels.value);
    if (f.serials.value.trim()) target.serials = words(f.serials.value);
    const spec = { name: f.name.value, target, bakeSeconds: number(f.bake), rollbackOnHalt: f.rollback.checked,
      ratePerMinute: number(f.rate), siteConcurrentDownloads: number(f.siteDownloads), unhealthyAlarms: f.unhealthy.value ? words(f.unhealthy.value) : undefined };
    if (f.firmware.value) spec.firmware = f.firmware.value;
    const vnfs = [...f.vnfs.selectedOptions].map(o => { const at = o.value.lastIndexOf(':'); return { name: o.value.slice(0, at), version: o.value.slice(at + 1) }; });
    if (vnfs.length) spec.vnfs = vnfs;
    try {
      if (f.configuration.value.trim()) { spec.configuration = JSON.parse(f.configuration.value); spec.handling = f.handling.value; }
    } catch (e) { problem.textContent = 'The configuration is not JSON: ' + e.message; return; }
    // "1, 10%, 100%" or "2:30, 50%:60": each phase a count or a percentage, and optionally ":BAKE" seconds.
    spec.phases = words(f.phases.value).map(p => {
      const [size, bake] = p.split(':');
      const phase = size.endsWith('%') ? { percent: Number(size.slice(0, -1)) } : { count: Number(size) };
      if (bake !== undefined) phase.bakeSeconds = Number(bake);
      return phase;
    });
    spec.errorThreshold = f.thresholdPercent.value !== '' ? { percent: number(f.thresholdPercent), minimumSample: number(f.sample) || 1 }
      : { count: number(f.thresholdCount) || 1 };
    if (f.windowStart.value || f.windowEnd.value) spec.window = { start: f.windowStart.value, end: f.windowEnd.value };
    try {
      const made = await call('POST', '/deployments', spec);
      location.hash = '#/deployments/' + made.id;
    } catch (e) { if (e.message !== 'signed out') problem.textContent = e.message; }
  };
  show(el('h1', {}, 'New deployment'), el('form', { class: 'form', id: 'new-deployment', onsubmit: submit },
    el('label', {}, 'Name', f.name),
    el('div', { class: 'row' }, el('label', {}, 'Firmware', f.firmware), el('label', {}, 'Configuration handling', f.handling)),
    el('label', {}, 'VNF packages (each VNF running the package moves to this version)', f.vnfs),
    el('label', {}, 'Configuration (cped JSON document, optional)', f.configuration),
    el('h2', {}, 'Target (every field given must match)'),
    el('div', { class: 'row' }, el('label', {}, 'Group', f.group), el('label', {}, 'Site', f.site), el('label', {}, 'Labels', f.labels),
      el('label', {}, 'Firmware version now', f.osVersion)),
    el('label', {}, 'Serial numbers', f.serials),
    el('h2', {}, 'Phases and gates'),
    el('div', { class: 'row' }, el('label', {}, 'Phases (count or %, optional :bake seconds)', f.phases), el('label', {}, 'Bake seconds', f.bake)),
    el('div', { class: 'row' }, el('label', {}, 'Halt after failed devices', f.thresholdCount), el('label', {}, '…or failed %', f.thresholdPercent),
      el('label', {}, 'of at least (finished)', f.sample), el('label', {}, 'Roll the phase back on halt', f.rollback),
      el('label', {}, 'Alarm types that count as unhealthy', f.unhealthy)),
    el('div', { class: 'row' }, el('label', {}, 'Devices per minute', f.rate), el('label', {}, 'Downloads per site', f.siteDownloads),
      el('label', {}, 'Window start (site time)', f.windowStart), el('label', {}, 'Window end', f.windowEnd)),
    el('div', {}, el('button', { type: 'submit', id: 'create' }, 'Create deployment')), problem));
}

// The devices of a deployment a page at a time (a 10 % phase of a million is 100,000), filtered by state.
const DevicesPerPage = 100;

async function deployment(id, params) {
  const query = new URLSearchParams({ limit: String(DevicesPerPage) });
  if (params.get('state')) query.set('state', params.get('state'));
  if (params.get('after')) query.set('after', params.get('after'));
  const [d, members] = await Promise.all([get('/deployments/' + id), get(`/deployments/${id}/devices?` + query)]);
  const page = (stateFilter, after) => {
    const next = new URLSearchParams();
    if (stateFilter) next.set('state', stateFilter);
    if (after) next.set('after', after);
    location.hash = `#/deployments/${id}?` + next;
  };
  const filter = el('select', { id: 'device-state', onchange: () => page(filter.value) },
    ['', ...Object.keys(d.devices)].map(v => el('option', { value: v, selected: (params.get('state') || '') === v }, v ? `${v} (${d.devices[v]})` : 'every state')));
  const problem = el('p', { class: 'error', role: 'alert' });
  const action = (verb, enabled) => el('button', { id: verb, class: verb === 'cancel' ? 'secondary' : '', disabled: !enabled, onclick: async () => {
    try { await call('POST', `/deployments/${id}/${verb}`); route(); } catch (e) { problem.textContent = e.message; }
  } }, verb[0].toUpperCase() + verb.slice(1));
  show(el('h1', {}, `Deployment #${d.id} ${d.name} `, state(d.status)),
    d.reason ? el('p', { id: 'reason' }, d.reason) : null,
    el('p', { class: 'muted' }, [...what(d),
      `target ${d.targetSize} device(s)`, `created ${when(d.createdAt)} by ${d.createdBy}`].filter(Boolean).join(' · ')),
    el('div', { class: 'toolbar' }, action('pause', d.status === 'running'), action('resume', d.status === 'paused' || d.status === 'halted'),
      action('cancel', d.status !== 'cancelled')),
    problem,
    el('h2', {}, 'Phases'),
    table(['phase', 'size', 'joined', 'bake', 'progress', 'devices', 'started', 'finished'], d.phases.map(p => [
      (p.number === d.phase && d.status !== 'completed' ? '▶ ' : '') + p.number + (p.rolledBack ? ' (rolled back)' : ''), p.size ?? 'the rest', p.joined,
      p.bakeSeconds + ' s', bar(p.devices, p.size || p.joined), counts(p.devices), when(p.startedAt), when(p.finishedAt)])),
    el('h2', {}, 'Devices'),
    el('div', { class: 'toolbar' }, el('label', {}, 'State ', filter)),
    table(['serial', 'phase', 'state', 'why', 'bytes', 'before', 'updated'], members.map(m => [link('#/devices/' + encodeURIComponent(m.serial), m.serial),
      m.phase, state(m.state), m.reason, m.bytes, m.before ? m.before.osVersion : null, when(m.updatedAt)]),
      params.get('state') ? 'No device in this state.' : 'No device has joined yet (they join at their next check-in).'),
    el('div', { class: 'toolbar' },
      params.get('after') ? el('button', { class: 'secondary', onclick: () => page(params.get('state')) }, 'First page') : null,
      members.length === DevicesPerPage ? el('button', { class: 'secondary', id: 'next-devices', onclick: () => page(params.get('state'), members[members.length - 1].serial) }, 'Next page') : null));
  refresh = setTimeout(route, 2000);   // live: phases and devices as they move
}

// ---- audit log ----

async function audit(params) {
  const before = params.get('before');
  const list = await get('/audit?limit=100' + (before ? '&before=' + before : ''));
  show(el('h1', {}, 'Audit log'),
    table(['time', 'who', 'role', 'action', 'on', 'detail', 'from', 'answer'], list.map(a => [when(a.time), a.actor, a.role, a.action, a.target, a.detail, a.source,
      el('span', { class: a.status < 400 ? 'state succeeded' : 'state failed' }, String(a.status))])),
    list.length === 100 ? el('a', { href: '#/audit?before=' + list[list.length - 1].id }, 'Older') : null);
}

// ---- routing ----

async function route() {
  clearTimeout(refresh);
  const [path, query] = location.hash.slice(1).split('?');
  const params = new URLSearchParams(query || '');
  for (const a of document.querySelectorAll('#nav a')) {
    const href = a.getAttribute('href');
    a.classList.toggle('active', href === '#/' ? path === '/' || path === '' : ('#' + path).startsWith(href));
  }
  if (!token()) { if (path !== '/signin') location.hash = '#/signin'; else signIn(); return; }
  if (path === '/signin') { signIn(); return; }
  try {
    if (document.getElementById('nav').hidden) await whoami();
    const parts = path.split('/').filter(Boolean).map(decodeURIComponent);
    if (parts.length === 0) await dashboard();
    else if (parts[0] === 'devices' && parts.length === 1) await devices(params);
    else if (parts[0] === 'devices') await device(parts[1]);
    else if (parts[0] === 'deployments' && parts[1] === 'new') await newDeployment();
    else if (parts[0] === 'deployments' && parts.length === 2) await deployment(Number(parts[1]), params);
    else if (parts[0] === 'deployments') await deployments();
    else if (parts[0] === 'audit') await audit(params);
    else show(el('p', {}, 'No such page. '), link('#/', 'Dashboard'));
  } catch (e) {
    if (e.message !== 'signed out') show(failure(e));
  }
}

window.addEventListener('hashchange', route);
route();
