// signin-audit HTML report: draws the map, the timelines and the findings table from the data
// block. Evidence strings are only ever put into the page with textContent or setAttribute on
// inert attributes (never innerHTML), so they stay text. No request is made.
(function () {
  'use strict';
  var errors = [];
  function recordError(message) {
    errors.push(message);
    var box = document.getElementById('js-errors');
    if (box) {
      box.hidden = false;
      box.textContent = 'The page script failed, so parts of this report may be missing: ' + errors.join(' | ');
    }
    document.body.setAttribute('data-js-errors', String(errors.length));
  }
  window.addEventListener('error', function (e) { recordError(String(e.message)); });

  var SVGNS = 'http://www.w3.org/2000/svg';
  var RESULT = ['success', 'failure', 'interrupted'];
  var RESULT_CLASS = ['ok', 'fail', 'int'];
  var KIND_CLASS = ['base', 'other', 'bad'];
  var KIND_NAME = ['baseline place', 'other place in the window', 'new place of a cited sign-in'];
  var RISKS = ['critical', 'high', 'medium', 'low'];
  var D = null;

  function el(tag, attrs, text) {
    var e = document.createElement(tag);
    if (attrs) { Object.keys(attrs).forEach(function (k) { e.setAttribute(k, attrs[k]); }); }
    if (text !== undefined && text !== null) { e.textContent = String(text); }
    return e;
  }
  function sv(tag, attrs, title) {
    var e = document.createElementNS(SVGNS, tag);
    if (attrs) { Object.keys(attrs).forEach(function (k) { e.setAttribute(k, String(attrs[k])); }); }
    if (title) { var t = document.createElementNS(SVGNS, 'title'); t.textContent = title; e.appendChild(t); }
    return e;
  }
  function str(i) { return D.strings[i] || ''; }
  function iso(ms) { return new Date(ms).toISOString().replace('.000Z', 'Z'); }
  function riskRank(r) { var i = RISKS.indexOf(r); return i < 0 ? 0 : 4 - i; }
  function badge(risk) { return el('span', { 'class': 'risk ' + risk }, risk); }
  function plural(n, word) { return n.toLocaleString('en-US') + ' ' + word + (n === 1 ? '' : 's'); }

  // A sign-in array: [time, user, result, ip, place, app, client, ua, code, file, position, id, kind, point].
  function signIn(k) {
    var s = D.sign_ins[k];
    return {
      time: s[0], user: str(s[1]), result: s[2], ip: str(s[3]), place: str(s[4]), app: str(s[5]),
      client: str(s[6]), ua: str(s[7]), code: s[8], file: str(s[9]), position: str(s[10]), id: str(s[11]),
      kind: s[12], point: s[13]
    };
  }
  function resultText(s) {
    var t = RESULT[s.result] || 'unknown';
    return s.result !== 0 && s.code !== null ? t + ' (' + s.code + ')' : t;
  }

  function signInTable(rows, withUser) {
    var table = el('table', { 'class': 'cites' });
    var head = el('tr');
    var cols = ['Time (UTC)'].concat(withUser ? ['User'] : [], ['Result', 'IP', 'Place', 'App', 'Client', 'User agent', 'Request id', 'Source']);
    cols.forEach(function (c) { head.appendChild(el('th', null, c)); });
    table.appendChild(el('thead')).appendChild(head);
    var body = el('tbody');
    rows.forEach(function (k) {
      var s = signIn(k);
      var tr = el('tr');
      var cells = [iso(s.time)].concat(withUser ? [s.user] : [], [resultText(s), s.ip, s.place, s.app, s.client, s.ua, s.id, s.file + ' (' + s.position + ')']);
      cells.forEach(function (c, i) { tr.appendChild(el('td', cells.length - i === 3 ? { 'class': 'ua' } : null, c)); });
      body.appendChild(tr);
    });
    table.appendChild(body);
    return table;
  }

  // ---- Map ----------------------------------------------------------------------------------
  function px(lon) { return lon + 180; }
  function py(lat) { return 90 - lat; }

  function drawMap() {
    var arcs = document.getElementById('map-arcs');
    var points = document.getElementById('map-points');
    D.arcs.forEach(function (a) {
      var x1 = px(a[1]), y1 = py(a[0]), x2 = px(a[3]), y2 = py(a[2]);
      var dx = x2 - x1, dy = y2 - y1;
      var cx = (x1 + x2) / 2 - dy * 0.25, cy = (y1 + y2) / 2 + dx * 0.25 - Math.abs(dx) * 0.1;
      var f = D.findings[a[4]];
      var path = sv('path', { 'class': 'travel', d: 'M' + x1 + ' ' + y1 + 'Q' + cx + ' ' + cy + ' ' + x2 + ' ' + y2 },
        'impossible travel: ' + str(f.user) + ': ' + f.summary);
      path.addEventListener('click', function () { openFinding(a[4]); });
      arcs.appendChild(path);
    });
    var order = D.points.map(function (p, i) { return i; });
    order.sort(function (a, b) { return D.points[a].kind - D.points[b].kind || D.points[b].count - D.points[a].count || a - b; });
    order.forEach(function (i) {
      var p = D.points[i];
      var first = p.rows.length ? signIn(p.rows[0]) : null;
      var label = (first && first.place ? first.place : p.lat + ', ' + p.lon) + ': ' + plural(p.count, 'sign-in') + ' (' + KIND_NAME[p.kind] +
        (p.cited ? ', ' + p.cited + ' cited by findings' : '') + ')';
      var c = sv('circle', { 'class': 'pt ' + KIND_CLASS[p.kind] + (p.cited && p.kind === 0 ? ' cited' : ''), cx: px(p.lon), cy: py(p.lat), r: Math.min(3.2, 0.8 + 0.3 * Math.sqrt(p.count)), 'data-point': i }, label);
      c.addEventListener('click', function () { showPoint(i, c); });
      points.appendChild(c);
    });
    var un = document.getElementById('unlocated');
    if (D.unlocated.length) {
      un.appendChild(el('h3', null, 'Sign-ins without coordinates (not drawn)'));
      var ul = el('ul');
      D.unlocated.forEach(function (u) { ul.appendChild(el('li', null, u[0] + ': ' + plural(u[1], 'sign-in'))); });
      un.appendChild(ul);
    }
  }

  function showPoint(i, circle) {
    var p = D.points[i];
    var prev = document.querySelector('#map .pt.sel');
    if (prev) { prev.classList.remove('sel'); }
    circle.classList.add('sel');
    var panel = document.getElementById('map-panel');
    panel.textContent = '';
    var first = p.rows.length ? signIn(p.rows[0]) : null;
    panel.appendChild(el('h3', null, (first && first.place ? first.place + ' ' : '') + '(' + p.lat + ', ' + p.lon + '): ' +
      plural(p.count, 'sign-in') + ', ' + KIND_NAME[p.kind] + (p.cited ? ', ' + p.cited + ' cited by findings' : '')));
    panel.appendChild(signInTable(p.rows, true));
    if (p.count > p.rows.length) {
      panel.appendChild(el('p', { 'class': 'capped' }, 'The first ' + p.rows.length + ' of ' + p.count + ' sign-ins at this place are listed.'));
    }
  }

  // ---- Timelines ----------------------------------------------------------------------------
  var W = 1000, H = 76, L = 4, R = 996;

  function drawTimelines() {
    var box = document.getElementById('timelines');
    if (!D.users.length) { box.appendChild(el('p', null, 'No user has a finding.')); return; }
    var t0 = D.baseline[0];
    D.users.forEach(function (u) { if (u.baseline && u.baseline[0] < t0) { t0 = u.baseline[0]; } });
    var t1 = D.as_of;
    var span = Math.max(1, t1 - t0);
    function tx(t) { return L + (R - L) * (t - t0) / span; }
    var byUser = {};
    D.findings.forEach(function (f, k) { if (f.drawn >= 0) { (byUser[f.drawn] = byUser[f.drawn] || []).push(k); } });
    D.users.forEach(function (u, ui) {
      var div = el('div', { 'class': 'tl', id: 'tl-' + ui, 'data-user': str(u.user) });
      var head = el('div');
      head.appendChild(el('span', { 'class': 'who' }, str(u.user)));
      head.appendChild(document.createTextNode(' '));
      head.appendChild(badge(u.risk));
      var meta = plural(u.findings, 'finding') + ', ' + plural(u.analysed, 'sign-in') + ' analysed; ' +
        (u.rows.length < u.total ? u.rows.length + ' of ' + u.total + ' sign-ins drawn' : plural(u.total, 'sign-in') + ' drawn') +
        (u.baseline ? '; baseline ' + iso(u.baseline[0]) + ' .. ' + iso(u.baseline[1]) + (u.thin ? ' (thin)' : '') : '');
      head.appendChild(el('span', { 'class': 'meta' }, meta));
      div.appendChild(head);
      var svg = sv('svg', { viewBox: '0 0 ' + W + ' ' + H, preserveAspectRatio: 'none', role: 'img', 'aria-label': 'timeline of ' + str(u.user) });
      svg.appendChild(sv('rect', { 'class': 'bg', x: 0, y: 0, width: W, height: H - 14 }));
      if (u.baseline) {
        var bx = tx(u.baseline[0]);
        svg.appendChild(sv('rect', { 'class': 'basep', x: bx, y: 0, width: Math.max(1, tx(u.baseline[1]) - bx), height: H - 14 }, 'baseline period'));
      }
      svg.appendChild(sv('line', { 'class': 'axis', x1: L, y1: H - 14, x2: R, y2: H - 14 }));
      ticks(svg, t0, t1, tx);
      // Sign-ins closer than 3 pixels on the same row are one mark with their count, so ten MFA
      // denials in a quarter of an hour read as "10", not as one dot.
      var marks = [];
      u.rows.forEach(function (k) {
        var s = signIn(k);
        var row = s.result === 0 ? 0 : (s.result === 2 ? 1 : 2);
        var x = tx(s.time);
        var last = null;
        for (var m = marks.length - 1; m >= 0; m--) { if (marks[m].row === row) { last = marks[m]; break; } }
        if (last && x - last.x < 3) { last.items.push(s); } else { marks.push({ row: row, x: x, items: [s] }); }
      });
      marks.forEach(function (m) {
        var s = m.items[0], n = m.items.length, y = 30 + 10 * m.row;
        var title = (n > 1 ? n + ' sign-ins from ' : '') + iso(s.time) + ' ' + resultText(s) + ' ' + s.ip + ' ' + s.place + ' ' + s.app;
        svg.appendChild(sv('circle', { 'class': RESULT_CLASS[s.result] || 'fail', cx: m.x.toFixed(1), cy: y, r: n > 1 ? 4 : 3 }, title));
        if (n > 1) { svg.appendChild(sv('text', { 'class': 'count', x: (m.x + 5).toFixed(1), y: y + 3 })).textContent = String(n); }
      });
      (byUser[ui] || []).forEach(function (k) {
        var f = D.findings[k];
        var x = tx(f.time);
        var m = sv('path', { 'class': 'mark ' + f.risk, d: 'M' + (x - 6).toFixed(1) + ' 2L' + (x + 6).toFixed(1) + ' 2L' + x.toFixed(1) + ' 16Z', 'data-finding': k },
          iso(f.time) + ' ' + f.risk + ' ' + f.detector + ': ' + f.summary);
        m.addEventListener('click', function () { openFinding(k); });
        svg.appendChild(m);
      });
      div.appendChild(svg);
      box.appendChild(div);
    });
  }

  function ticks(svg, t0, t1, tx) {
    var day = 86400000;
    var days = (t1 - t0) / day;
    var step = days > 120 ? 30 : (days > 40 ? 14 : (days > 14 ? 7 : 1));
    var start = Math.ceil(t0 / day) * day;
    for (var t = start; t <= t1; t += step * day) {
      var x = tx(t);
      if (x > R - 64) { break; }
      svg.appendChild(sv('line', { 'class': 'axis', x1: x, y1: H - 14, x2: x, y2: H - 10 }));
      svg.appendChild(sv('text', { 'class': 'tick', x: x + 2, y: H - 2 })).textContent = iso(t).slice(0, 10);
    }
  }

  // ---- Findings table -----------------------------------------------------------------------
  var state = { risk: '', detector: '', user: '', sort: 'risk', desc: true, open: {} };

  function controls() {
    var box = document.getElementById('findings-controls');
    function select(label, key, options) {
      var l = el('label', null, label + ' ');
      var s = el('select', { id: 'filter-' + key });
      s.appendChild(el('option', { value: '' }, 'all'));
      options.forEach(function (o) { s.appendChild(el('option', { value: o }, o)); });
      s.addEventListener('change', function () { state[key] = s.value; drawFindings(); });
      l.appendChild(s);
      box.appendChild(l);
    }
    select('Risk at least', 'risk', RISKS);
    var detectors = [];
    D.findings.forEach(function (f) { if (detectors.indexOf(f.detector) < 0) { detectors.push(f.detector); } });
    detectors.sort();
    select('Detector', 'detector', detectors);
    var l = el('label', null, 'User ');
    var input = el('input', { id: 'filter-user', type: 'search', placeholder: 'part of a UPN' });
    input.addEventListener('input', function () { state.user = input.value.toLowerCase(); drawFindings(); });
    l.appendChild(input);
    box.appendChild(l);
  }

  function matching() {
    var list = [];
    D.findings.forEach(function (f, k) {
      if (state.risk && riskRank(f.risk) < riskRank(state.risk)) { return; }
      if (state.detector && f.detector !== state.detector) { return; }
      if (state.user && str(f.user).toLowerCase().indexOf(state.user) < 0) { return; }
      list.push(k);
    });
    var key = {
      risk: function (f) { return riskRank(f.risk); }, detector: function (f) { return f.detector; },
      user: function (f) { return str(f.user); }, time: function (f) { return f.time; }
    }[state.sort];
    list.sort(function (a, b) {
      var x = key(D.findings[a]), y = key(D.findings[b]);
      var c = x < y ? -1 : (x > y ? 1 : 0);
      return (state.desc ? -c : c) || a - b;
    });
    return list;
  }

  function drawFindings() {
    var box = document.getElementById('findings');
    box.textContent = '';
    var list = matching();
    var shown = list.slice(0, D.max_table_rows);
    box.appendChild(el('p', { id: 'findings-count' }, list.length > shown.length
      ? 'Showing ' + shown.length + ' of ' + list.length + ' matching findings: narrow the filters to see the rest.'
      : plural(list.length, 'finding') + ' shown. Click a row for its reason and cited sign-ins.'));
    var table = el('table');
    var head = el('tr');
    [['risk', 'Risk'], ['detector', 'Detector'], ['user', 'User'], ['time', 'Time (UTC)'], [null, 'Summary']].forEach(function (c) {
      var th = el('th', null, c[1] + (state.sort === c[0] ? (state.desc ? ' \u25bc' : ' \u25b2') : ''));
      if (c[0]) {
        th.addEventListener('click', function () {
          if (state.sort === c[0]) { state.desc = !state.desc; } else { state.sort = c[0]; state.desc = c[0] === 'risk' || c[0] === 'time'; }
          drawFindings();
        });
      }
      head.appendChild(th);
    });
    table.appendChild(el('thead')).appendChild(head);
    var body = el('tbody');
    shown.forEach(function (k) {
      var f = D.findings[k];
      var tr = el('tr', { 'class': 'f', id: 'finding-' + k, 'data-finding': k });
      var risk = el('td');
      risk.appendChild(badge(f.risk));
      tr.appendChild(risk);
      tr.appendChild(el('td', null, f.detector));
      tr.appendChild(el('td', { 'class': 'user' }, str(f.user)));
      tr.appendChild(el('td', { 'class': 'mono' }, iso(f.time)));
      tr.appendChild(el('td', null, f.summary));
      tr.addEventListener('click', function () { state.open[k] = !state.open[k]; drawFindings(); });
      body.appendChild(tr);
      if (state.open[k]) {
        tr.classList.add('open');
        var dtr = el('tr', { 'class': 'detail' });
        var td = el('td', { colspan: 5 });
        td.appendChild(detail(f));
        dtr.appendChild(td);
        body.appendChild(dtr);
      }
    });
    table.appendChild(body);
    box.appendChild(table);
  }

  function detail(f) {
    var d = el('div');
    d.appendChild(el('p', null, 'Reason: ' + f.summary));
    f.notes.forEach(function (n) { d.appendChild(el('p', { 'class': 'capped' }, n)); });
    if (f.details.length) {
      var dl = el('dl', { 'class': 'facts' });
      f.details.forEach(function (kv) { dl.appendChild(el('dt', null, kv[0])); dl.appendChild(el('dd', { 'class': 'mono' }, kv[1])); });
      d.appendChild(dl);
    }
    d.appendChild(el('h3', null, 'Cited sign-ins (' + (f.cited.length + f.missing.length) + ')'));
    d.appendChild(signInTable(f.cited, false));
    f.missing.forEach(function (m) { d.appendChild(el('p', { 'class': 'capped' }, 'Not in the table: ' + m[0] + ' from ' + m[1])); });
    return d;
  }

  function openFinding(k) {
    var f = D.findings[k];
    state.risk = ''; state.detector = ''; state.user = str(f.user).toLowerCase();
    ['risk', 'detector'].forEach(function (key) { var s = document.getElementById('filter-' + key); if (s) { s.value = ''; } });
    var input = document.getElementById('filter-user');
    if (input) { input.value = str(f.user); }
    state.open[k] = true;
    drawFindings();
    var row = document.getElementById('finding-' + k);
    if (row) { row.scrollIntoView({ block: 'center' }); }
  }

  try {
    D = JSON.parse(document.getElementById('report-data').textContent);
    drawMap();
    drawTimelines();
    controls();
    drawFindings();
    document.body.setAttribute('data-rendered', 'ok');
  } catch (e) {
    recordError(String(e && e.stack ? e.stack : e));
  }
})();
