// dyndbg-elfsim report: wires the hover/click handles of panel 1 and 2, the scale and lld toggles, and draws
// panel 3 for the chosen record. Everything it shows comes from the page (data-* attributes, #report-data):
// it computes nothing but positions.
(function () {
  'use strict';
  var data = JSON.parse(document.getElementById('report-data').textContent);
  var info = document.getElementById('info');
  var SVG = 'http://www.w3.org/2000/svg';
  var pinned = null;

  function all(sel, root) { return Array.prototype.slice.call((root || document).querySelectorAll(sel)); }
  function hex(n) { return '0x' + Number(n).toString(16); }
  function esc(s) { return String(s).replace(/[&<>"]/g, function (c) { return { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' }[c]; }); }

  // ---- panel 1: the highlight both ways between script lines (data-caught: what each caught) and boxes ----
  var byKey = {};
  all('[data-l]').forEach(function (e) { (byKey[e.getAttribute('data-l')] = byKey[e.getAttribute('data-l')] || []).push(e); });

  function mark(key, cls, on) { (byKey[key] || []).forEach(function (e) { e.classList.toggle(cls, on); }); }

  function describe(e) {
    var k = e.getAttribute('data-l');
    if (e.classList.contains('sl')) {
      var n = Number(e.getAttribute('data-caught') || 0);
      return '<b>' + esc(k.indexOf('why:') === 0 ? 'rule' : k) + '</b>: ' + (n === 0 ? 'caught nothing in this link' : 'placed ' + n + ' input section' + (n === 1 ? '' : 's') + ' (highlighted)');
    }
    if (e.classList.contains('agg')) {
      return e.getAttribute('data-count') + ' input sections under a pixel each, drawn as one box (' + e.getAttribute('data-z') + ' bytes)';
    }
    var f = data.files[Number(e.getAttribute('data-f'))];
    var w = data.reasons[Number(e.getAttribute('data-w'))];
    var os = e.closest('svg.os');
    var where = os ? ' &rarr; <b>' + esc(os.getAttribute('data-os')) + '</b>+' + hex(e.getAttribute('data-o')) : ' &rarr; not in the output';
    var el = e.getAttribute('data-e');
    var hdr = el !== null && el !== 'dup' && el !== '-1' ? ' &mdash; <b>element ' + el + '</b> of its array' : '';
    return esc(f) + ': <b>' + esc(e.getAttribute('data-s') || '') + '</b> (' + e.getAttribute('data-z') + ' bytes)' + where + hdr + '<br>why: ' + esc(w);
  }

  function over(e) {
    var h = e.target.closest('[data-l]');
    if (h && !pinned) { mark(h.getAttribute('data-l'), 'hl', true); info.innerHTML = describe(h); }
    var os = e.target.closest('svg.os');
    if (os && !h) { info.innerHTML = '<b>' + esc(os.getAttribute('data-os')) + '</b> at ' + esc(os.getAttribute('data-a')) + ', ' + os.getAttribute('data-z') + ' bytes, ' + os.getAttribute('data-n') + ' input sections'; }
    var ls = e.target.closest('[data-ls]');
    if (ls) { all('[data-ls="' + CSS.escape(ls.getAttribute('data-ls')) + '"]').forEach(function (x) { x.classList.add('hl'); }); }
  }
  function out(e) {
    var h = e.target.closest('[data-l]');
    if (h && !pinned) { mark(h.getAttribute('data-l'), 'hl', false); }
    var ls = e.target.closest('[data-ls]');
    if (ls) { all('[data-ls].hl').forEach(function (x) { x.classList.remove('hl'); }); }
  }
  function click(e) {
    var h = e.target.closest('[data-l]');
    if (!h) { return; }
    var key = h.getAttribute('data-l');
    if (pinned) { mark(pinned, 'pin', false); mark(pinned, 'hl', false); }
    pinned = pinned === key ? null : key;
    if (pinned) {
      mark(pinned, 'pin', true);
      info.innerHTML = describe(h);
      var line = (byKey[key] || []).filter(function (x) { return x.classList.contains('sl'); })[0];
      if (line && h !== line) { line.scrollIntoView({ block: 'nearest' }); }
    }
  }
  document.addEventListener('mouseover', over);
  document.addEventListener('mouseout', out);
  document.addEventListener('click', click);

  // ---- scale and lld toggles: the widths of both scales are in the page ----
  function scale(log) {
    var p = log ? 'data-g' : 'data-l';
    all('svg.os').forEach(function (s) { s.setAttribute('x', s.getAttribute(p + 'x')); s.setAttribute('width', s.getAttribute(p + 'w')); });
    all('text.osl').forEach(function (t) {
      var x = t.getAttribute(p + 'x'), y = t.getAttribute('y');
      t.setAttribute('x', x); t.setAttribute('transform', 'rotate(50 ' + x + ' ' + y + ')');
      t.setAttribute('visibility', t.getAttribute(p + 'v') === '1' ? 'visible' : 'hidden');
    });
    all('g.hdr-call').forEach(function (g) {
      var os = g.parentNode.querySelector('svg.os[data-os="' + CSS.escape(g.getAttribute('data-os')) + '"]');
      var x = Number(os.getAttribute('x')) + Number(g.getAttribute('data-frac')) * Number(os.getAttribute('width'));
      g.querySelector('line').setAttribute('x1', x); g.querySelector('line').setAttribute('x2', x); g.querySelector('text').setAttribute('x', x);
    });
  }
  var logBox = document.getElementById('log-scale');
  if (logBox) { logBox.addEventListener('change', function () { scale(logBox.checked); }); }
  var lldBox = document.getElementById('show-lld');
  function showLld() { all('.layout[data-k="1"]').forEach(function (l) { l.hidden = !lldBox.checked; }); }
  if (lldBox) { lldBox.addEventListener('change', showLld); }
  // report.html#lld,log,pin=module.lds:25 opens with those toggles on and that handle pinned (a link can show a
  // student the comparison, or what one script line caught, directly).
  var wanted = decodeURIComponent(location.hash.slice(1)).split(',');
  if (lldBox && wanted.indexOf('lld') >= 0) { lldBox.checked = true; showLld(); }
  if (logBox && wanted.indexOf('log') >= 0) { logBox.checked = true; scale(true); }
  wanted.filter(function (w) { return w.indexOf('pin=') === 0; }).forEach(function (w) {
    var found = byKey[w.slice(4)] || [];
    var first = found.filter(function (x) { return x.classList.contains('sl'); })[0] || found[0];
    if (first) { click({ target: first }); }
  });

  // ---- panel 3: __dyndbg[N] -> _index -> __dyndbg[0] -> site -> __dyndbg_sites[N] ----
  var D = data.diet;
  var dsvg = document.getElementById('diet-svg');
  if (!D || !dsvg) { return; }
  var CW = 128, CH = 46, DY = 100, SY = 240, X0 = 20;

  function el(tag, attrs, text) {
    var e = document.createElementNS(SVG, tag);
    Object.keys(attrs).forEach(function (k) { e.setAttribute(k, attrs[k]); });
    if (text !== undefined) { e.textContent = text; }
    dsvg.appendChild(e);
    return e;
  }
  function addr(base, i, size) { return '0x' + (BigInt(base) + BigInt(i) * BigInt(size)).toString(16); }

  // The cells drawn: element 0, N and its neighbours, and every element an arrow lands on; gaps between.
  function row(indices, count, max) {
    var set = {};
    indices.forEach(function (i) { if (i !== null && i !== undefined && i >= 0 && i < count) { set[i] = true; } });
    var list = Object.keys(set).map(Number).sort(function (a, b) { return a - b; }).slice(0, max);
    var pos = {}, x = X0;
    list.forEach(function (i, k) {
      if (k > 0 && i !== list[k - 1] + 1) { x += 34; }
      pos[i] = x; x += CW + 24;
    });
    return { list: list, pos: pos, end: x };
  }

  function cells(r, y, name, base, size, cls) {
    r.list.forEach(function (i, k) {
      if (k > 0 && i !== r.list[k - 1] + 1) { el('text', { 'class': 'gap', x: r.pos[i] - 26, y: y + 28 }, '\u2026'); }
      var a = addr(base, i, size);
      var g = el('g', { 'class': 'cell ' + (cls[i] || ''), 'data-array': name, 'data-i': i, 'data-addr': a });
      var rect = document.createElementNS(SVG, 'rect');
      [['x', r.pos[i]], ['y', y], ['width', CW], ['height', CH], ['rx', 4]].forEach(function (p) { rect.setAttribute(p[0], p[1]); });
      g.appendChild(rect);
      var t1 = document.createElementNS(SVG, 'text'); t1.setAttribute('x', r.pos[i] + 6); t1.setAttribute('y', y + 18); t1.textContent = name + '[' + i + ']'; g.appendChild(t1);
      var t2 = document.createElementNS(SVG, 'text'); t2.setAttribute('class', 'addr'); t2.setAttribute('x', r.pos[i] + 6); t2.setAttribute('y', y + 36); t2.textContent = a; g.appendChild(t2);
    });
  }

  // A point on a cell, or past the row's end for an address that is on no element (the arrow then ends in the open).
  function at(r, i, y, end) { return i !== null && i !== undefined && r.pos[i] !== undefined ? { x: r.pos[i] + CW / 2, y: y } : { x: end + 40, y: y }; }

  function arrow(step, from, to, bend, bad, id, label, fromAddr, toAddr, dashed) {
    var d = 'M' + from.x + ',' + from.y + ' C' + from.x + ',' + (from.y + bend) + ' ' + to.x + ',' + (to.y + bend) + ' ' + to.x + ',' + to.y;
    el('path', { 'class': 'arrow' + (bad ? ' bad' : '') + (dashed ? ' pointer' : ''), d: d, 'data-step': step, 'data-from': fromAddr, 'data-to': toAddr || 'none', 'data-bad': bad ? id : '' });
    // Vertical arrows side by side: their labels at different heights.
    var lx = (from.x + to.x) / 2, ly = from.y + (to.y - from.y) * (dashed ? 0.7 : 0.35) + bend * 0.75;
    el('text', { 'class': 'alabel' + (bad ? ' bad' : ''), x: lx + 4, y: ly, 'data-step': step }, label + (bad ? '  \u2716 ' + id : ''));
  }

  function draw(n) {
    var w = D.walks[n];
    while (dsvg.firstChild) { dsvg.removeChild(dsvg.firstChild); }
    var defs = el('defs', {});
    [['arrow-ok', '#17723b'], ['arrow-bad', '#b3261e']].forEach(function (m) {
      var mk = document.createElementNS(SVG, 'marker');
      [['id', m[0]], ['viewBox', '0 0 10 10'], ['refX', 9], ['refY', 5], ['markerWidth', 7], ['markerHeight', 7], ['orient', 'auto-start-reverse']].forEach(function (p) { mk.setAttribute(p[0], p[1]); });
      var p = document.createElementNS(SVG, 'path'); p.setAttribute('d', 'M0,0 L10,5 L0,10 z'); p.setAttribute('fill', m[1]); mk.appendChild(p); defs.appendChild(mk);
    });
    if (!w) { el('text', { x: 20, y: 40 }, 'no record ' + n); return; }
    var dh = w.dh ? w.dh.at : null, hs = w.hsite ? w.hsite.at : null, re = w.reached ? w.reached.at : null, pt = w.pointer ? w.pointer.at : null;
    var dr = row([0, 1, n - 1, n, n + 1, dh], D.numDescs, 8);
    var sr = row([0, 1, n - 1, n, n + 1, hs, re, pt], D.numSites, 8);
    var upBad = dh !== 0 || w.notAHeader !== null, siteBad = hs !== 0, reachBad = !w.matches;
    var dcls = {}, scls = {};
    if (w.notAHeader === null) { dcls[0] = 'hdrcell'; scls[0] = 'hdrcell'; }
    dcls[n] = 'sel'; scls[n] = 'target';
    el('text', { x: X0, y: DY - 70, 'font-weight': 600 }, D.descSection + ' at ' + D.desc + ' (' + D.recordSize + '-byte records)');
    el('text', { x: X0, y: SY + CH + 78, 'font-weight': 600 }, D.siteSection + ' at ' + D.sites + ' (' + D.siteSize + '-byte sites)');
    cells(dr, DY, D.descSection, D.desc, D.recordSize, dcls);
    cells(sr, SY, D.siteSection, D.sites, D.siteSize, scls);


    var dpTop = at(dr, n, DY), dhTop = at(dr, dh, DY, dr.end);
    arrow('up', dpTop, dhTop, -44, upBad, D.ids.up,
      D.index + ' = ' + w.index + ': dp \u2212 ' + w.index + ' \u00d7 ' + D.recordSize + ' = ' + (w.dh ? w.dh.addr : 'outside the array') +
      (w.notAHeader ? ', not a header: ' + w.notAHeader : ''), w.dp, w.dh && w.dh.addr);
    var dhBottom = at(dr, dh, DY + CH, dr.end), siteTop = at(sr, hs, SY, sr.end);
    arrow('site', dhBottom, siteTop, 0, siteBad, D.ids.site, 'header.site = ' + (w.hsite ? w.hsite.addr : 'NULL'), w.dh ? w.dh.addr : 'none', w.hsite && w.hsite.addr);
    var siteBottom = at(sr, hs, SY + CH, sr.end), reachBottom = at(sr, re, SY + CH, sr.end);
    arrow('reach', siteBottom, reachBottom, 40, reachBad, D.ids.reach,
      'site[' + w.siteIndex + '] = ' + (w.reached ? w.reached.addr : 'unreachable'), w.hsite ? w.hsite.addr : 'none', w.reached && w.reached.addr);
    if (D.sitePointer) {
      var ptBad = !w.pointer || w.pointer.addr !== w.expected;
      arrow('pointer', at(dr, n, DY + CH), at(sr, pt, SY, sr.end), 0, ptBad, D.ids.pointer, 'dp->site (SITE_CHK)', w.dp, w.pointer && w.pointer.addr, true);
    }
    var indexBad = w.index !== w.n;
    var res = document.getElementById('diet-result');
    var broken = [];
    if (indexBad) { broken.push(D.ids.index + ' (' + D.index + ' is ' + w.index + ', not ' + w.n + ')'); }
    if (upBad) { broken.push(D.ids.up + ' (' + (w.notAHeader || 'dp \u2212 ' + D.index + ' is not element 0') + ')'); }
    if (siteBad) { broken.push(D.ids.site + ' (header.site is not ' + D.siteSection + '[0])'); }
    if (reachBad) { broken.push(D.ids.reach); }
    w.findings.forEach(function (id) { if (broken.join(' ').indexOf(id) < 0) { broken.push(id); } });
    res.className = reachBad || upBad || broken.length ? 'bad' : 'good';
    res.setAttribute('data-n', String(n));
    res.textContent = D.descSection + '[' + n + '] at ' + w.dp + (w.reached ? ' reaches the site at ' + w.reached.addr : ' reaches no site') +
      '; its own site, ' + D.siteSection + '[' + n + '], is at ' + w.expected + (reachBad ? ': NOT the same site' : ': the same site') +
      (broken.length ? '. Broken here: ' + broken.join(', ') : '') + (n === 0 ? ' (element 0 is the header pair itself)' : '');
  }

  var input = document.getElementById('rec');
  function go(n) {
    n = Math.max(0, Math.min(D.walks.length - 1, n | 0));
    input.value = String(n);
    draw(n);
  }
  input.addEventListener('change', function () { go(Number(input.value)); });
  document.getElementById('rec-prev').addEventListener('click', function () { go(Number(input.value) - 1); });
  document.getElementById('rec-next').addEventListener('click', function () { go(Number(input.value) + 1); });
  go(Number(input.value));
})();
