// SPDX-License-Identifier: GPL-3.0-or-later
//
// mirror.js — the Printdeck mirror's page: follows /ws (docs/mirror-protocol.md)
// and shows one card per printer, like the desktop app's.
//
// Everything that comes from the network (names, job names, HMS texts) goes
// into the page as textContent, never as markup. The page is read-only: it
// sends nothing but pings.
'use strict';

(() => {
  const PROTOCOL_VERSION = 1;
  const TOKEN_KEY = 'printdeck-mirror-token';
  const BACKOFF_MIN_MS = 1000;
  const BACKOFF_MAX_MS = 30000;
  const REFUSED_AFTER = 3;        // failed handshakes in a row before asking why
  const PING_MS = 20000;          // the server closes clients silent for 40 s
  const SILENT_MS = 45000;        // the server sends a ping every 20 s
  const CAMERA_MS = 5000;         // a camera picture every 5 s, only from cameras the app shows
  const HUMIDITY_FAIR = 40;       // the desktop app's defaults (gschema)
  const HUMIDITY_HIGH = 60;

  const STATUS = {
    idle: 'Idle', preparing: 'Preparing', printing: 'Printing', paused: 'Paused',
    finished: 'Finished', failed: 'Failed', cancelled: 'Cancelled', offline: 'Offline',
    unknown: 'Unknown',
  };
  const SEVERITY = { ok: 'OK', info: 'Info', common: 'Common', serious: 'Serious', fatal: 'Fatal' };
  const JOB_RUNNING = new Set(['preparing', 'printing', 'paused']);

  const $ = (id) => document.getElementById(id);
  const list = $('printers');
  const banner = $('banner');
  const template = $('card-template');

  // ---- values: null, a wrong type, NaN all read as "not known" ----------------

  const num = (v) => (typeof v === 'number' && Number.isFinite(v) ? v : null);
  const str = (v) => (typeof v === 'string' && v !== '' ? v : null);
  const obj = (v) => (v !== null && typeof v === 'object' && !Array.isArray(v) ? v : null);
  const arr = (v) => (Array.isArray(v) ? v : []);
  const has = (o, key) => Object.prototype.hasOwnProperty.call(o, key);

  function setText(el, text) {
    const value = text == null ? '' : String(text);
    if (el.textContent !== value)
      el.textContent = value;
  }

  function setAttr(el, name, value) {
    if (el.getAttribute(name) !== value)
      el.setAttribute(name, value);
  }

  function show(el, visible) {
    if (el.hidden === visible)
      el.hidden = !visible;
  }

  // "42 min", "1 h 05 min", "3 h"
  function duration(minutes) {
    const m = num(minutes);
    if (m === null || m < 0)
      return null;
    const h = Math.floor(m / 60);
    const r = Math.round(m % 60);
    if (h === 0)
      return `${r} min`;
    return r === 0 ? `${h} h` : `${h} h ${String(r).padStart(2, '0')} min`;
  }

  const clock = (date) => date.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });

  // "ends at 14:32", "ends tomorrow at 02:10", "ends Friday at 09:00"
  function finishText(at) {
    const end = new Date(at);
    const today = new Date();
    today.setHours(0, 0, 0, 0);
    const days = Math.floor((end - today) / 86400000);
    if (days <= 0)
      return `ends at ${clock(end)}`;
    if (days === 1)
      return `ends tomorrow at ${clock(end)}`;
    return `ends ${end.toLocaleDateString([], { weekday: 'long' })} at ${clock(end)}`;
  }

  function temperatureText(t) {
    const current = num(t && t.current);
    const target = num(t && t.target);
    if (current === null)
      return '—';
    if (target === null || target <= 0)
      return `${Math.round(current)} °C`;
    return `${Math.round(current)} / ${Math.round(target)} °C`;
  }

  // "#RRGGBBAA" → [r, g, b, a (0…1)], null for anything else
  function parseColor(text) {
    const m = /^#([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})?$/i.exec(str(text) || '');
    if (!m)
      return null;
    return [parseInt(m[1], 16), parseInt(m[2], 16), parseInt(m[3], 16), m[4] ? parseInt(m[4], 16) / 255 : 1];
  }

  function luminance([r, g, b]) {
    const lin = (c) => (c /= 255) <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
    return 0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b);
  }

  // ---- the documents -------------------------------------------------------------

  // RFC 7386, except that null sets a member to null instead of removing it:
  // the document's keys never go away (docs/mirror-protocol.md). For showing
  // it, missing and null are the same anyway.
  function applyMergePatch(target, patch) {
    if (obj(patch) === null)
      return patch;
    const result = obj(target) || {};
    for (const key of Object.keys(patch)) {
      if (key === '__proto__')
        continue;
      const value = patch[key];
      result[key] = value === null ? null : applyMergePatch(result[key], value);
    }
    return result;
  }

  const printers = new Map();   // serial → { doc, card }
  const dirty = new Set();
  let flushPending = false;
  let nextCardId = 0;

  function upsert(doc) {
    const serial = str(doc && doc.serial);
    if (serial === null)
      return null;
    let entry = printers.get(serial);
    if (!entry) {
      entry = { doc: null, card: makeCard() };
      printers.set(serial, entry);
    }
    entry.doc = doc;
    markDirty(entry);
    return entry;
  }

  function replaceAll(docs) {
    const before = new Map(printers);
    printers.clear();
    for (const doc of docs) {
      const serial = str(doc && doc.serial);
      if (serial !== null && before.has(serial)) {
        printers.set(serial, before.get(serial));
        before.delete(serial);
      }
      const entry = upsert(doc);
      if (entry)
        list.appendChild(entry.card.node);   // in the server's order
    }
    for (const gone of before.values())
      drop(gone);
  }

  function drop(entry) {
    setCamera(entry.card, null, null);
    entry.card.node.remove();
    dirty.delete(entry);
  }

  function markDirty(entry) {
    dirty.add(entry);
    if (!flushPending) {
      flushPending = true;
      requestAnimationFrame(flush);
    }
  }

  // At most once a frame, and only the cards that changed.
  function flush() {
    flushPending = false;
    for (const entry of dirty) {
      if (!entry.card.node.isConnected)
        list.appendChild(entry.card.node);
      render(entry.card, entry.doc);
    }
    dirty.clear();
    renderSummary();
  }

  function renderSummary() {
    let printing = 0;
    for (const { doc } of printers.values())
      if (doc.status === 'printing' && doc.connection !== 'disconnected')
        printing++;
    const n = printers.size;
    const total = `${n} ${n === 1 ? 'printer' : 'printers'}`;
    setText($('summary'), printing > 0 ? `${total} · ${printing} printing` : total);
    show($('empty'), n === 0 && synced);
  }

  // ---- cards -------------------------------------------------------------------

  function makeCard() {
    const node = template.content.firstElementChild.cloneNode(true);
    const q = (selector) => node.querySelector(selector);
    const id = `printer-${nextCardId++}`;
    q('.name').id = `${id}-name`;
    node.setAttribute('aria-labelledby', `${id}-name`);
    const temperature = (key) => ({ box: q(`.temperature.${key}`), caption: q(`.${key} dt`), value: q(`.${key} dd`) });
    return {
      node,
      name: q('.name'), model: q('.model'), status: q('.status'), stage: q('.stage'),
      hms: q('.hms'), hmsText: q('.hms-text'), printError: q('.print-error'),
      job: q('.job'), jobName: q('.job-name'), progressRow: q('.progress-row'), progress: q('.progress'),
      percent: q('.percent'), layer: q('.layer'), time: q('.time'), grams: q('.grams'),
      temperatures: {
        nozzle: temperature('nozzle'), nozzle_right: temperature('nozzle_right'),
        bed: temperature('bed'), chamber: temperature('chamber'),
      },
      ams: q('.ams'), amsKey: null, remaining: null, finishAt: null,
      camera: q('.camera'), cameraUrl: null,
    };
  }

  function statusOf(doc) {
    if (doc.connection === 'disconnected')
      return 'offline';
    if (doc.connection === 'connecting')
      return 'connecting';
    return has(STATUS, doc.status) ? doc.status : 'unknown';
  }

  function render(card, doc) {
    const title = str(doc.name) || str(doc.model) || str(doc.serial) || 'Printer';
    setText(card.name, title);
    const model = str(doc.model);
    setText(card.model, title === str(doc.name) ? (model || 'Unknown model') : str(doc.serial));

    const status = statusOf(doc);
    const statusText = status === 'connecting' ? 'Connecting…' : STATUS[status];
    setText(card.status, statusText);
    card.status.className = `chip status ${status}`;
    card.node.className = `card ${status}`;
    const stage = str(doc.stage);
    setText(card.stage, stage && stage.toLowerCase() !== statusText.toLowerCase() ? stage : null);

    renderHealth(card, doc);
    renderJob(card, doc);
    renderTemperatures(card, doc);

    // the AMS changes seldom: rebuilt only when it did
    const ams = obj(doc.ams);
    const amsKey = JSON.stringify(ams);
    if (amsKey !== card.amsKey) {
      card.amsKey = amsKey;
      card.ams.replaceChildren(...renderAms(ams, obj(doc.temperatures) && doc.temperatures.nozzle_right != null));
    }
  }

  function renderHealth(card, doc) {
    const hms = obj(doc.hms) || {};
    const errors = arr(hms.errors).filter(obj);
    const level = errors.length > 0 && has(SEVERITY, hms.level) ? hms.level : 'ok';
    const label = SEVERITY[level];
    setText(card.hms, errors.length > 1 ? `${label} · ${errors.length}` : label);
    card.hms.className = `chip hms ${level}`;
    setAttr(card.hms, 'title', errors.length === 0 ? 'No health warnings'
      : `${errors.length} health ${errors.length === 1 ? 'warning' : 'warnings'}, highest: ${label.toLowerCase()}`);

    let text = null;
    if (errors.length > 0) {
      const first = errors[0];
      text = str(first.description) || str(first.module) || `HMS ${str(first.code) || ''}`.trim();
      if (errors.length > 1)
        text += ` (and ${errors.length - 1} more)`;
    }
    setText(card.hmsText, text);
    show(card.hmsText, text !== null);

    const error = obj(doc.print_error);
    let errorText = null;
    if (error) {
      const code = str(error.code);
      errorText = `Print error${code ? ` ${code}` : ''}: ${str(error.description) || str(error.module) || 'unknown'}`;
    }
    setText(card.printError, errorText);
    show(card.printError, errorText !== null);
  }

  function renderJob(card, doc) {
    const job = obj(doc.job);
    const status = has(STATUS, doc.status) ? doc.status : 'unknown';
    const visible = job !== null && !['idle', 'offline', 'unknown'].includes(status);
    show(card.job, visible);
    if (!visible)
      return;

    const name = str(job.name);
    setText(card.jobName, name);
    show(card.jobName, name !== null);
    setAttr(card.progress, 'aria-label', name !== null ? `Progress of ${name}` : 'Print progress');

    const running = JOB_RUNNING.has(status);
    show(card.progressRow, running);
    const progress = num(job.progress);
    if (progress === null) {
      card.progress.removeAttribute('value');   // indeterminate
      setText(card.percent, null);
    } else {
      const p = Math.max(0, Math.min(100, Math.round(progress)));
      if (card.progress.value !== p || !card.progress.hasAttribute('value'))
        card.progress.value = p;
      setText(card.percent, `${p} %`);
    }

    const layer = num(job.layer);
    const total = num(job.total_layers);
    const layerText = running && layer !== null && total !== null && total > 0 ? `Layer ${layer} of ${total}` : null;
    setText(card.layer, layerText);
    show(card.layer, layerText !== null);

    // The finish clock is taken when the remaining time changes, not on
    // every frame: it stays put between the printer's minute updates.
    const remaining = num(job.remaining_minutes);
    if (remaining !== card.remaining) {
      card.remaining = remaining;
      card.finishAt = remaining !== null && remaining > 0 ? Date.now() + remaining * 60000 : null;
    }
    const left = duration(remaining);
    let timeText = null;
    if (running && left !== null)
      timeText = card.finishAt !== null ? `${left} left · ${finishText(card.finishAt)}` : `${left} left`;
    setText(card.time, timeText);
    show(card.time, timeText !== null);

    // Grams come from the job's file on the printer (an estimate); none
    // rather than a made-up number when it could not be read.
    const gramsTotal = num(job.filament_grams_total);
    const gramsUsed = num(job.filament_grams_used);
    let gramsText = null;
    if (gramsTotal !== null)
      gramsText = gramsUsed !== null && running ? `Filament: ${gramsUsed.toFixed(1)} g of ${gramsTotal.toFixed(1)} g`
                                                : `Filament: ${gramsTotal.toFixed(1)} g`;
    setText(card.grams, gramsText);
    show(card.grams, gramsText !== null);
  }

  function renderTemperatures(card, doc) {
    const temps = obj(doc.temperatures) || {};
    const dual = obj(temps.nozzle_right) !== null;
    setText(card.temperatures.nozzle.caption, dual ? 'Left nozzle' : 'Nozzle');
    for (const key of Object.keys(card.temperatures)) {
      const t = obj(temps[key]);
      const el = card.temperatures[key];
      // nozzle and bed always; the others only where the model has them
      show(el.box, t !== null || key === 'nozzle' || key === 'bed');
      setText(el.value, temperatureText(t));
    }
  }

  // ---- AMS -----------------------------------------------------------------------

  function unitName(unit) {
    const id = num(unit.id);
    if (unit.type === 'ams_lite' || id === 16)
      return 'AMS lite';
    if (id !== null && id >= 128 && id < 128 + 26)
      return `HT-${String.fromCharCode(65 + id - 128)}`;
    if (id !== null && id >= 0 && id < 26)
      return `AMS ${String.fromCharCode(65 + id)}`;
    return id !== null ? `AMS ${id}` : 'AMS';
  }

  function slotName(slot, dual) {
    if (slot === 254)
      return dual ? 'Left external spool' : 'External spool';
    if (slot === 255)
      return 'Right external spool';
    return `Slot ${slot !== null ? slot + 1 : '?'}`;
  }

  function humidity(unit) {
    const percent = num(unit.humidity_percent);
    const level = num(unit.humidity_level);
    if (percent !== null && percent >= 0) {
      const rating = percent > HUMIDITY_HIGH ? 'high' : percent > HUMIDITY_FAIR ? 'fair' : 'ok';
      return { text: `Humidity ${Math.round(percent)} %`, rating };
    }
    if (level !== null && level >= 1 && level <= 5)
      return { text: `Humidity level ${level} of 5`, rating: level >= 4 ? 'high' : 'ok' };
    return null;
  }

  function element(tag, className, text) {
    const el = document.createElement(tag);
    if (className)
      el.className = className;
    if (text != null)
      el.textContent = text;
    return el;
  }

  function renderTray(tray, groupName, dual, active) {
    const slot = num(tray.slot);
    const present = tray.present === true;
    const material = str(tray.material);
    const li = element('li', active ? 'slot active' : 'slot');
    const swatch = element('span', 'swatch');
    swatch.setAttribute('role', 'img');
    let summary;
    let caption;
    if (!present) {
      swatch.classList.add('empty');
      summary = 'empty';
      caption = 'Empty';
    } else if (material === null) {
      swatch.classList.add('unknown');
      swatch.textContent = '?';
      summary = 'unknown spool';
      caption = '?';
    } else {
      const color = parseColor(tray.color);
      if (color) {
        const [r, g, b, a] = color;
        swatch.style.backgroundColor = `rgba(${r}, ${g}, ${b}, ${a.toFixed(3)})`;
        // outlined by the style sheet where the card's colour would swallow it
        const l = luminance(color);
        if (a < 0.6)
          swatch.classList.add('clear');
        else if (l > 0.7)
          swatch.classList.add('light');
        else if (l < 0.06)
          swatch.classList.add('dark');
      } else {
        swatch.classList.add('unknown');
      }
      const name = str(tray.name);
      const remaining = num(tray.remaining_percent);
      summary = [material, name !== material ? name : null, remaining !== null ? `${remaining} % left` : null]
        .filter(Boolean).join(', ');
      caption = material;
    }
    if (active)
      swatch.classList.add('active');
    const where = groupName ? `${groupName}, ${slotName(slot, dual)}` : slotName(slot, dual);
    const label = `${where}: ${summary}${active ? ' (in use)' : ''}`;
    swatch.setAttribute('aria-label', label);
    li.title = label;
    li.append(swatch, element('span', 'material', caption));
    return li;
  }

  function renderGroup(name, details, trays, dual, isActive) {
    const group = element('div', 'ams-unit');
    group.setAttribute('role', 'group');
    group.setAttribute('aria-label', name);
    const head = element('div', 'ams-head');
    head.append(element('span', 'ams-name', name));
    for (const d of details)
      head.append(element('span', d.className, d.text));
    const slots = element('ul', 'slots');
    for (const tray of trays)
      slots.append(renderTray(tray, name, dual, isActive(tray)));
    group.append(head, slots);
    return group;
  }

  function renderAms(ams, dual) {
    if (ams === null)
      return [];
    const active = obj(ams.active_slot);
    const activeUnit = active ? num(active.unit) : null;
    const activeSlot = active ? num(active.slot) : null;
    const groups = [];
    for (const unit of arr(ams.units).filter(obj)) {
      const details = [];
      const h = humidity(unit);
      if (h)
        details.push({ className: `humidity ${h.rating}`, text: h.text });
      const drying = obj(unit.drying);
      if (drying && drying.active === true) {
        const left = duration(drying.remaining_minutes);
        details.push({ className: 'drying', text: left && drying.remaining_minutes > 0 ? `Drying, ${left} left` : 'Drying' });
      }
      const id = num(unit.id);
      groups.push(renderGroup(unitName(unit), details, arr(unit.trays).filter(obj), dual,
        (tray) => active !== null && activeUnit === id && activeSlot === num(tray.slot)));
    }
    const external = arr(ams.external).filter(obj);
    if (external.length > 0)
      groups.push(renderGroup(external.length > 1 ? 'External spools' : 'External spool', [], external, dual,
        (tray) => active !== null && activeUnit === null && activeSlot === num(tray.slot)));
    return groups;
  }

  // ---- the connection ------------------------------------------------------------

  const token = takeToken();
  let ws = null;
  let seq = null;            // the last seq applied; null: nothing yet
  let synced = false;        // a snapshot or resume arrived on this connection
  let attempt = 0;           // reconnects since the last sync
  let failures = 0;          // handshakes in a row that failed
  let refused = false;
  let tooNew = false;
  let lastGap = 0;
  let reconnectTimer = null;
  let lastMessageAt = 0;
  let lastSentAt = 0;
  let syncedAt = null;       // when the shown state was last known to be current

  // The token comes once in the address (the QR code's link); it is kept for
  // this tab only and taken out of the address bar, so that a bookmark, a
  // screenshot or a shared link does not carry it. Without one, the cookie
  // the server set with the page may still do.
  function takeToken() {
    const params = new URLSearchParams(location.search);
    let value = params.get('token');
    try {
      if (value)
        sessionStorage.setItem(TOKEN_KEY, value);
      else
        value = sessionStorage.getItem(TOKEN_KEY);
    } catch (e) {
      // storage turned off: the token lives as long as the page
    }
    if (params.has('token')) {
      params.delete('token');
      const query = params.toString();
      history.replaceState(history.state, '', location.pathname + (query ? `?${query}` : '') + location.hash);
    }
    return value;
  }

  function endpoint(path, query) {
    const url = new URL(path, location.href);   // next to the page, also behind a proxy
    if (path === 'ws')
      url.protocol = location.protocol === 'https:' ? 'wss:' : 'ws:';
    url.search = query.toString();
    url.hash = '';
    return url.href;
  }

  function connect() {
    clearTimeout(reconnectTimer);
    reconnectTimer = null;
    if (ws !== null || tooNew)
      return;
    const query = new URLSearchParams();
    if (token)
      query.set('token', token);
    if (seq !== null)
      query.set('since', String(seq));
    let socket;
    try {
      socket = new WebSocket(endpoint('ws', query));
    } catch (e) {
      scheduleReconnect();
      return;
    }
    ws = socket;
    socket.opened = false;
    socket.onopen = () => {
      socket.opened = true;
      lastMessageAt = lastSentAt = Date.now();
    };
    socket.onmessage = (event) => {
      if (ws === socket)
        receive(socket, event.data);
    };
    socket.onclose = () => lost(socket);
  }

  // The connection is gone (closed, failed, silent, or out of step).
  function lost(socket, immediately = false) {
    if (ws !== socket)
      return;
    ws = null;
    if (synced)
      syncedAt = new Date(lastMessageAt);
    synced = false;
    socket.onopen = socket.onmessage = socket.onclose = null;
    if (socket.readyState === WebSocket.CONNECTING || socket.readyState === WebSocket.OPEN)
      socket.close();
    if (socket.opened) {
      failures = 0;
    } else if (++failures >= REFUSED_AFTER) {
      checkToken();
    }
    updateBanner();
    scheduleReconnect(immediately);
  }

  function scheduleReconnect(immediately = false) {
    if (reconnectTimer !== null || tooNew)
      return;
    let delay = 0;
    if (!immediately) {
      const base = Math.min(BACKOFF_MAX_MS, BACKOFF_MIN_MS * 2 ** attempt);
      delay = Math.min(BACKOFF_MAX_MS, base * (0.75 + Math.random() * 0.5));
      attempt++;
    }
    reconnectTimer = setTimeout(connect, delay);
  }

  function reconnectNow() {
    if (ws === null && !tooNew) {
      attempt = 0;
      connect();
    }
  }

  // A browser does not tell why a WebSocket handshake failed: ask over HTTP
  // whether it was the token (401) or the server is just not there.
  function checkToken() {
    const headers = token ? { Authorization: `Bearer ${token}` } : {};
    fetch(endpoint('api/printers', new URLSearchParams()), { method: 'HEAD', headers, cache: 'no-store' })
      .then((response) => {
        refused = response.status === 401;
        if (response.body)
          response.body.cancel();
        updateBanner();
      })
      .catch(() => {
        refused = false;   // not there at all: the token may be fine
        updateBanner();
      });
  }

  function receive(socket, text) {
    let msg;
    try {
      msg = JSON.parse(text);
    } catch (e) {
      return;
    }
    if (obj(msg) === null)
      return;
    lastMessageAt = Date.now();

    switch (msg.type) {
      case 'snapshot':
        if (!supported(msg) || !Array.isArray(msg.printers) || num(msg.seq) === null)
          return;
        replaceAll(msg.printers);
        seq = msg.seq;
        flush();   // whole at once, not a frame later: "live" means shown
        onSynced();
        break;
      case 'resume':
        if (!supported(msg))
          return;
        if (msg.from !== seq) {
          // not where we are: start over from a snapshot
          seq = null;
          lost(socket, true);
          return;
        }
        onSynced();
        break;
      case 'delta':
      case 'printer-added':
      case 'printer-removed':
        if (!synced)
          return;
        if (msg.seq !== seq + 1) {
          gap(socket);
          return;
        }
        if (!apply(msg)) {
          // a printer we do not have: we are out of step, take a snapshot
          seq = null;
          lost(socket, true);
          return;
        }
        seq = msg.seq;
        break;
      default:
        // "pong", and what a newer server may add
        break;
    }
  }

  function apply(msg) {
    if (msg.type === 'delta') {
      const entry = printers.get(msg.serial);
      if (!entry)
        return false;
      if (obj(msg.patch) !== null) {
        entry.doc = applyMergePatch(entry.doc, msg.patch);
        markDirty(entry);
      }
    } else if (msg.type === 'printer-added') {
      upsert(obj(msg.printer));
    } else {
      const entry = printers.get(msg.serial);
      if (entry) {
        printers.delete(msg.serial);
        drop(entry);
        renderSummary();
      }
    }
    return true;
  }

  // A message went missing: reconnect at once and ask for what followed the
  // last one we applied. Twice within 10 s: start over from a snapshot, with
  // the usual backoff, so a confused server is not hammered.
  function gap(socket) {
    const now = Date.now();
    const again = now - lastGap < 10000;
    lastGap = now;
    if (again)
      seq = null;
    lost(socket, !again);
  }

  function supported(msg) {
    if (msg.version === PROTOCOL_VERSION)
      return true;
    // a newer server, whose messages this page would misread: its own page will not
    tooNew = true;
    const socket = ws;
    ws = null;
    if (socket) {
      socket.onclose = null;
      socket.close();
    }
    updateBanner();
    return false;
  }

  function onSynced() {
    synced = true;
    attempt = 0;
    failures = 0;
    refused = false;
    syncedAt = new Date();
    updateBanner();
    renderSummary();
  }

  function updateBanner() {
    let text = null;
    let kind = '';
    if (tooNew) {
      text = 'Printdeck was updated: reload this page.';
    } else if (refused) {
      text = 'The access token was refused — scan the code in Printdeck’s Preferences again.';
      kind = 'refused';
    } else if (!synced && syncedAt !== null) {
      text = `Not connected — showing the state at ${clock(syncedAt)}; reconnecting…`;
      kind = 'stale';
    } else if (!synced) {
      text = 'Connecting to Printdeck…';
    }
    setText(banner, text);
    banner.className = `banner ${kind}`;
    // for style sheets and scripts that look at the page (and its test)
    document.body.dataset.connection = tooNew ? 'outdated' : refused ? 'refused'
      : synced ? 'live' : syncedAt !== null ? 'stale' : 'connecting';
    show(banner, text !== null);
    document.body.classList.toggle('stale', !synced && printers.size > 0);
  }

  // Keep the connection honest: a phone that slept or changed networks may
  // hold a socket that is dead without knowing it.
  setInterval(() => {
    if (ws === null || !ws.opened)
      return;
    const now = Date.now();
    if (now - lastMessageAt > SILENT_MS) {
      lost(ws);
    } else if (now - lastSentAt >= PING_MS && ws.readyState === WebSocket.OPEN) {
      ws.send('{"type":"ping"}');
      lastSentAt = now;
    }
  }, 5000);

  // ---- camera pictures -----------------------------------------------------------

  // The latest picture of each printer whose camera the app is showing
  // (the server answers 404 otherwise), every few seconds while the page
  // is visible. Never a connection of our own to a printer.
  function setCamera(card, blob, title) {
    if (card.cameraUrl !== null)
      URL.revokeObjectURL(card.cameraUrl);
    card.cameraUrl = blob !== null ? URL.createObjectURL(blob) : null;
    if (card.cameraUrl !== null) {
      card.camera.src = card.cameraUrl;
      card.camera.alt = `Camera of ${title}`;
    } else {
      card.camera.removeAttribute('src');
    }
    show(card.camera, card.cameraUrl !== null);
  }

  async function refreshCamera(serial, entry) {
    const doc = entry.doc;
    const camera = obj(doc.camera);
    if (!camera || (camera.kind !== 'rtsps' && camera.kind !== 'jpeg') || doc.connection !== 'connected') {
      setCamera(entry.card, null, null);
      return;
    }
    const query = new URLSearchParams();
    if (token)
      query.set('token', token);
    try {
      const response = await fetch(endpoint(`api/printers/${encodeURIComponent(serial)}/snapshot.jpg`, query),
                                   { cache: 'no-store' });
      const title = str(doc.name) || str(doc.model) || serial;
      setCamera(entry.card, response.ok ? await response.blob() : null, title);
    } catch (e) {
      // offline: the stale banner says so
    }
  }

  setInterval(() => {
    if (document.visibilityState !== 'visible' || !synced)
      return;
    for (const [serial, entry] of printers)
      refreshCamera(serial, entry);
  }, CAMERA_MS);

  document.addEventListener('visibilitychange', () => {
    if (document.visibilityState === 'visible')
      reconnectNow();
  });
  window.addEventListener('online', reconnectNow);
  window.addEventListener('pageshow', (event) => {
    if (event.persisted)
      reconnectNow();
  });

  updateBanner();
  connect();
})();
