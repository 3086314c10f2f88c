/**
 * The HTML report's one script, inlined (its hash is in the page's Content-Security-Policy). It
 * reads the report's data from `<script type="application/json" id="urlcheck-data">` and draws
 * every section with DOM calls (`textContent`, `setAttribute`: no HTML is ever parsed from the
 * data). It fetches nothing, and writes nothing but the page. The DOM it builds is a contract
 * the browser tests rely on (README, "Reports", `html`).
 *
 * Plain ES2017 in a raw string: no backticks, no `${`, no `</` inside it.
 */
export const REPORT_SCRIPT = String.raw`
(function () {
  'use strict';
  var scriptStart = performance.now();
  var doc = document;
  var root = doc.documentElement;
  var data = JSON.parse(doc.getElementById('urlcheck-data').textContent);
  var SVGNS = 'http://www.w3.org/2000/svg';
  var VERDICTS = ['healthy', 'warning', 'broken', 'transient', 'blocked'];
  var ICON = { healthy: '\u2714', warning: '\u26a0', broken: '\u2716', transient: '\u21bb', blocked: '\u2298' };
  var RANK = { broken: 0, transient: 1, blocked: 2, warning: 3, healthy: 4 };
  var PHASES = [['dns', 'DNS'], ['connect', 'connect'], ['tls', 'TLS'], ['firstbyte', 'first byte']];
  var CHUNK = 200;
  var sources = data.sources;
  var results = data.results;
  var summary = data.summary;
  var comparison = data.comparison;

  function byId(id) { return doc.getElementById(id); }
  function el(tag, cls, text) {
    var node = doc.createElement(tag);
    if (cls) node.className = cls;
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }
  function svg(tag, attrs) {
    var node = doc.createElementNS(SVGNS, tag);
    if (attrs) for (var key in attrs) node.setAttribute(key, String(attrs[key]));
    return node;
  }
  function clear(node) { while (node.firstChild) node.removeChild(node.firstChild); }
  function count(n) { return Number(n).toLocaleString('en-US'); }
  function plural(n, noun) { return count(n) + ' ' + (n === 1 ? noun : noun + 's'); }
  function fmtMs(ms) {
    if (ms === null || ms === undefined || !isFinite(ms)) return '\u2014';
    if (Math.round(ms * 10) / 10 < 10) return Math.round(ms * 10) / 10 + ' ms';
    if (Math.round(ms) < 1000) return Math.round(ms) + ' ms';
    if (Math.round(ms / 10) < 1000) return (ms / 1000).toFixed(2) + ' s';
    if (Math.round(ms / 100) < 600) return (ms / 1000).toFixed(1) + ' s';
    var total = Math.round(ms / 1000);
    var seconds = total % 60;
    return Math.floor(total / 60) + 'm ' + (seconds < 10 ? '0' : '') + seconds + 's';
  }
  function verdictLabel(verdict) {
    var span = el('span', 'verdict v-' + verdict);
    var icon = el('span', null, ICON[verdict]);
    icon.setAttribute('aria-hidden', 'true');
    span.appendChild(icon);
    span.appendChild(doc.createTextNode(' ' + verdict));
    return span;
  }
  function where(r) { return sources[r.s] + ':' + r.l; }
  function hostOf(url) {
    try {
      var parsed = new URL(url);
      return parsed.host === '' ? parsed.protocol + ' (no host)' : parsed.host;
    } catch (error) {
      return '(not a URL)';
    }
  }

  // Derived once per result: what filters, groups and sorts need.
  results.forEach(function (r, index) {
    r.index = index;
    r.codes = [];
    if (r.c) r.codes.push(r.c);
    if (r.w) r.w.forEach(function (w) { if (r.codes.indexOf(w[0]) < 0) r.codes.push(w[0]); });
    r.code = r.codes.length > 0 ? r.codes[0] : '';
    r.lower = r.u.toLowerCase();
    r.host = hostOf(r.u);
    r.placed = typeof r.t === 'number' && isFinite(r.t) && r.t >= 0;
  });
  function byInput(a, b) {
    if (a.s !== b.s) return sources[a.s] < sources[b.s] ? -1 : 1;
    return a.l - b.l || a.index - b.index;
  }
  function describe(r) {
    var parts = [r.v, r.u];
    parts.push(r.st === null ? 'no response' : 'status ' + r.st);
    if (r.c) parts.push(r.c + ': ' + r.m);
    if (r.w) r.w.forEach(function (w) { parts.push(w[0] + ': ' + w[1]); });
    if (r.placed) parts.push('started at ' + fmtMs(r.t));
    parts.push('took ' + fmtMs(r.d));
    parts.push(where(r));
    return parts.join(', ');
  }
  function timingText(r) {
    if (!r.tm) return '';
    var names = ['DNS', 'connect', 'TLS', 'first byte'];
    var parts = [];
    var known = 0;
    for (var i = 0; i < 4; i += 1) {
      if (r.tm[i] !== null) { parts.push(names[i] + ' ' + fmtMs(r.tm[i])); known += r.tm[i]; }
    }
    parts.push('rest ' + fmtMs(Math.max(0, r.tm[4] - known)));
    parts.push('request ' + fmtMs(r.tm[4]) + (r.re === true ? ' (reused connection)' : ''));
    return parts.join(' \u00b7 ');
  }

  // ---- failures and warnings, grouped by code or by host ----
  var attention = results.filter(function (r) { return r.v !== 'healthy'; }).sort(function (a, b) {
    return RANK[a.v] - RANK[b.v] || byInput(a, b);
  });
  var failures = attention.filter(function (r) { return r.v !== 'warning'; });
  var warnings = attention.filter(function (r) { return r.v === 'warning'; });

  function failureItem(r) {
    var item = el('li', 'item v-' + r.v);
    item.tabIndex = 0;
    item.setAttribute('data-failure', '');
    item.setAttribute('data-code', r.code);
    item.setAttribute('data-url', r.u);
    item.setAttribute('data-verdict', r.v);
    item.setAttribute('aria-label', describe(r));
    var head = el('div', 'head');
    head.appendChild(verdictLabel(r.v));
    head.appendChild(el('span', 'mono', r.st === null ? 'no response' : r.st));
    head.appendChild(el('code', 'url', r.u));
    if (r.ch === 'newly-failing') head.appendChild(el('span', 'badge', 'newly failing'));
    item.appendChild(head);
    if (r.c) item.appendChild(el('div', 'msg', r.c + ': ' + r.m));
    if (r.w) r.w.forEach(function (w) { item.appendChild(el('div', 'msg', w[0] + ': ' + w[1])); });
    var notes = [where(r), fmtMs(r.d)];
    if (r.a > 1) notes.push(plural(r.a, 'attempt'));
    if (r.me) notes.push(r.me);
    if (r.dup) notes.push('duplicate of ' + sources[r.dup[0]] + ':' + r.dup[1] + ', checked once for both');
    item.appendChild(el('div', 'where', notes.join(' \u00b7 ')));
    if (r.r && r.r.length > 0) {
      var chain = el('ol', 'chain');
      chain.setAttribute('aria-label', 'redirect chain');
      r.r.forEach(function (hop) { chain.appendChild(el('li', 'url', hop[0] + ' \u2192 ' + hop[1])); });
      if (r.f) chain.appendChild(el('li', 'url', 'final: ' + r.f));
      item.appendChild(chain);
    }
    return item;
  }

  function renderGroups(container, list, mode, totals, capped) {
    clear(container);
    if (list.length === 0) {
      container.appendChild(el('p', 'muted', 'None.'));
      return;
    }
    var groups = {};
    var order = [];
    list.forEach(function (r) {
      var key = mode === 'host' ? r.host : r.code || r.v;
      if (!groups[key]) { groups[key] = []; order.push(key); }
      groups[key].push(r);
    });
    order.sort(function (a, b) {
      var ta = mode === 'code' && totals[a] !== undefined ? totals[a] : groups[a].length;
      var tb = mode === 'code' && totals[b] !== undefined ? totals[b] : groups[b].length;
      return tb - ta || (a < b ? -1 : a > b ? 1 : 0);
    });
    order.forEach(function (key) {
      var members = groups[key];
      var group = el('section', 'group');
      var heading = plural(members.length, 'URL');
      if (mode === 'code' && capped && totals[key] !== undefined && totals[key] > members.length) {
        heading = count(members.length) + ' listed of ' + plural(totals[key], 'URL');
      }
      var h = el('h4');
      h.appendChild(el('code', null, key));
      h.appendChild(doc.createTextNode(' \u2014 ' + heading));
      group.appendChild(h);
      var items = el('ul', 'items');
      members.forEach(function (r) { items.appendChild(failureItem(r)); });
      group.appendChild(items);
      container.appendChild(group);
    });
  }

  var groupMode = 'code';
  function renderFailures() {
    var capped = data.sampling.attention.kept < data.sampling.attention.total;
    renderGroups(byId('failure-groups'), failures, groupMode, summary.byCode || {}, capped);
    renderGroups(byId('warning-groups'), warnings, groupMode, summary.byWarning || {}, capped);
    var buttons = doc.querySelectorAll('[data-group-by]');
    for (var i = 0; i < buttons.length; i += 1) {
      buttons[i].setAttribute('aria-pressed', String(buttons[i].getAttribute('data-group-by') === groupMode));
    }
  }
  doc.addEventListener('click', function (event) {
    var target = event.target.closest ? event.target.closest('[data-group-by]') : null;
    if (!target) return;
    groupMode = target.getAttribute('data-group-by');
    renderFailures();
  });

  // ---- the waterfall: one bar per shown result with a start time, lanes packed like pool slots ----
  var placed = results.filter(function (r) { return r.placed; }).sort(function (a, b) { return a.t - b.t || b.d - a.d || a.index - b.index; });
  var laneEnds = [];
  placed.forEach(function (r) {
    var lane = -1;
    for (var i = 0; i < laneEnds.length; i += 1) if (laneEnds[i] <= r.t) { lane = i; break; }
    if (lane < 0) { lane = laneEnds.length; laneEnds.push(0); }
    laneEnds[lane] = r.t + r.d;
    r.lane = lane;
  });
  var lanes = Math.max(1, laneEnds.length);
  var runAxisMs = Math.max(data.axisMs || 0, 1);
  var baselineMs = comparison ? Math.max(comparison.sequentialMs, comparison.sequentialMeasuredMs) : 0;
  var scaleMode = comparison ? 'both' : 'run';

  // Measured once before anything is drawn (and again on resize): reading a width forces a
  // layout, which costs seconds once thousands of failures are on the page.
  var measuredWidth = 0;
  function measureWidth() {
    var box = byId('timeline-chart');
    measuredWidth = Math.max(480, Math.floor(box ? box.clientWidth - 2 : 960));
  }
  function chartWidth() {
    if (measuredWidth === 0) measureWidth();
    return measuredWidth;
  }
  function niceStep(rangeMs, pixels) {
    var raw = rangeMs / Math.max(1, pixels / 90);
    var power = Math.pow(10, Math.floor(Math.log10(raw)));
    var steps = [1, 2, 5, 10];
    for (var i = 0; i < steps.length; i += 1) if (steps[i] * power >= raw) return steps[i] * power;
    return 10 * power;
  }
  function drawAxis(parent, rangeMs, msPerPx, width, y, height) {
    var axis = svg('g', { 'class': 'axis', 'aria-hidden': 'true' });
    var step = niceStep(rangeMs, width);
    for (var ms = 0; ms <= rangeMs + 1e-9; ms += step) {
      var x = ms / msPerPx;
      axis.appendChild(svg('line', { x1: x, x2: x, y1: y, y2: y + height }));
      // A label that would run off the right edge is left out; its line stays.
      if (x > width - 48) continue;
      var label = svg('text', { x: x + 3, y: y + 11 });
      label.textContent = fmtMs(ms);
      axis.appendChild(label);
    }
    parent.appendChild(axis);
  }
  function patternDefs(parent) {
    var defs = svg('defs');
    // Each verdict but healthy has its own pattern over its colour: broken /, transient dots,
    // blocked a cross, warning |; so the bars read without colour too.
    [['broken', 'M-1 7 L7 -1 M-1 1 L1 -1 M5 7 L7 5'], ['transient', 'M1.5 1.5 h0.01 M4.5 4.5 h0.01'], ['blocked', 'M0 0 L6 6 M0 6 L6 0'], ['warning', 'M3 0 L3 6']].forEach(function (p) {
      var pattern = svg('pattern', { id: 'hatch-' + p[0], width: 6, height: 6, patternUnits: 'userSpaceOnUse' });
      pattern.appendChild(svg('rect', { 'class': 'fill-' + p[0], x: 0, y: 0, width: 6, height: 6 }));
      pattern.appendChild(svg('path', { d: p[1], 'class': 'hatch-line' + (p[0] === 'transient' ? ' dots' : '') }));
      defs.appendChild(pattern);
    });
    parent.appendChild(defs);
  }

  function renderTimeline() {
    var width = chartWidth();
    var rangeMs = scaleMode === 'both' ? Math.max(runAxisMs, baselineMs) : runAxisMs;
    var msPerPx = rangeMs / width;
    var laneHeight = Math.max(3, Math.min(14, Math.floor(420 / lanes)));
    var gap = laneHeight >= 6 ? 1 : 0;
    var top = 18;
    var lanesHeight = lanes * laneHeight;
    var baselineTop = top + lanesHeight + 26;
    var height = comparison ? baselineTop + 34 : top + lanesHeight + 8;

    var chart = byId('waterfall');
    clear(chart);
    chart.setAttribute('width', width);
    chart.setAttribute('height', height);
    chart.setAttribute('data-ms-per-px', msPerPx);
    chart.setAttribute('data-axis-ms', rangeMs);
    chart.setAttribute('data-origin-x', 0);
    chart.setAttribute('data-unplaced', results.length - placed.length);
    patternDefs(chart);
    drawAxis(chart, rangeMs, msPerPx, width, 0, height);
    var endX = (summary.wallMs || 0) / msPerPx;
    chart.appendChild(svg('line', { 'class': 'end-marker', x1: endX, x2: endX, y1: top, y2: top + lanesHeight, 'aria-hidden': 'true' }));

    var bars = doc.createDocumentFragment();
    placed.forEach(function (r) {
      var x = r.t / msPerPx;
      var w = r.d / msPerPx;
      var y = top + r.lane * laneHeight;
      var h = laneHeight - gap;
      var drawn = Math.max(1, w);
      var g = svg('g', {
        'class': 'v-' + r.v,
        'data-bar': '',
        'data-index': r.index,
        'data-start-ms': r.t,
        'data-duration-ms': r.d,
        'data-verdict': r.v,
        'data-url': r.u,
        'data-x': Math.round(x * 100) / 100,
        'data-width': Math.round(w * 100) / 100,
        tabindex: 0,
        role: 'img',
        'aria-label': describe(r)
      });
      // One rect: healthy is plain colour, every other verdict its pattern (colour and hatching).
      var main = svg('rect', { x: x, y: y, width: drawn, height: h });
      if (r.v === 'healthy') main.setAttribute('class', 'fill-healthy');
      else main.setAttribute('fill', 'url(#hatch-' + r.v + ')');
      g.appendChild(main);
      if (r.tm && drawn >= 6 && r.tm[4] > 0) {
        var phaseX = x + Math.max(0, r.d - r.tm[4]) / msPerPx;
        for (var i = 0; i < 4; i += 1) {
          var ms = r.tm[i];
          if (ms === null || ms <= 0) continue;
          var pw = Math.min(ms / msPerPx, x + drawn - phaseX);
          if (pw <= 0) break;
          g.appendChild(svg('rect', { 'class': 'phase ph-' + PHASES[i][0], x: phaseX, y: y + h * 0.25, width: pw, height: Math.max(1, h * 0.5), 'aria-hidden': 'true' }));
          phaseX += pw;
        }
      }
      bars.appendChild(g);
    });
    chart.appendChild(bars);

    if (comparison) {
      var label = svg('text', { x: 2, y: baselineTop - 6 });
      label.textContent = 'one by one (the sequential baseline): ' + fmtMs(comparison.sequentialMeasuredMs) + ' for ' +
        plural(comparison.sampleSize, 'URL') + (comparison.estimated ? ', ~' + fmtMs(comparison.sequentialMs) + ' estimated for all ' + count(comparison.targets) : '');
      chart.appendChild(label);
      var baseline = comparison.baselineBars && comparison.baselineBars.length > 0
        ? comparison.baselineBars
        : [{ startMs: 0, durationMs: comparison.sequentialMeasuredMs, checks: comparison.sampleSize, unhealthy: -1 }];
      baseline.forEach(function (bar, index) {
        var x = bar.startMs / msPerPx;
        var w = bar.durationMs / msPerPx;
        var failed = bar.unhealthy > 0;
        var text = 'baseline: ' + (bar.checks === 1 ? 'check ' + (index + 1) : plural(bar.checks, 'check')) + ', ' + fmtMs(bar.durationMs) +
          ' from ' + fmtMs(bar.startMs) + (bar.unhealthy > 0 ? ', ' + count(bar.unhealthy) + ' not ok' : bar.unhealthy === 0 ? ', all ok' : '');
        var g = svg('g', {
          'class': failed ? 'v-broken' : 'v-healthy',
          'data-baseline': '',
          'data-start-ms': bar.startMs,
          'data-duration-ms': bar.durationMs,
          'data-checks': bar.checks,
          'data-verdict': failed ? 'broken' : 'healthy',
          'data-x': Math.round(x * 100) / 100,
          'data-width': Math.round(w * 100) / 100,
          tabindex: 0,
          role: 'img',
          'aria-label': text
        });
        g.setAttribute('data-label', text);
        var rect = svg('rect', { x: x, y: baselineTop, width: Math.max(1, w - (w > 3 ? 1 : 0)), height: 14 });
        if (failed) rect.setAttribute('fill', 'url(#hatch-broken)');
        else rect.setAttribute('class', 'fill-baseline');
        g.appendChild(rect);
        chart.appendChild(g);
      });
      if (comparison.estimated && comparison.sequentialMs > comparison.sequentialMeasuredMs) {
        var ex = comparison.sequentialMeasuredMs / msPerPx;
        var estimate = svg('rect', {
          'class': 'estimated', 'data-baseline-estimate': '', x: ex, y: baselineTop + 0.5,
          width: Math.max(1, (comparison.sequentialMs - comparison.sequentialMeasuredMs) / msPerPx), height: 13, 'aria-hidden': 'true'
        });
        chart.appendChild(estimate);
      }
    }
    renderInFlight(width, rangeMs, msPerPx);
  }

  function renderInFlight(width, rangeMs, msPerPx) {
    var chart = byId('inflight');
    clear(chart);
    var values = data.inflight.values;
    var bucketMs = data.inflight.bucketMs;
    var height = 70;
    var top = 14;
    var peak = 0;
    values.forEach(function (v) { if (v > peak) peak = v; });
    peak = Math.round(peak * 10) / 10;
    var limit = data.meta ? data.meta.concurrency : 0;
    var yMax = Math.max(peak, 1);
    chart.setAttribute('width', width);
    chart.setAttribute('height', height + top + 4);
    chart.setAttribute('data-ms-per-px', msPerPx);
    chart.setAttribute('data-bucket-ms', bucketMs);
    chart.setAttribute('data-peak', peak);
    chart.setAttribute('role', 'img');
    chart.setAttribute('aria-label', 'checks in flight over time, averaged over ' + fmtMs(bucketMs) + ': peak ' + peak + (limit ? ', limit ' + limit : ''));
    function yOf(v) { return top + height - (v / yMax) * height; }
    var path = 'M0 ' + yOf(0);
    values.forEach(function (v, i) {
      var x0 = (i * bucketMs) / msPerPx;
      var x1 = ((i + 1) * bucketMs) / msPerPx;
      path += ' L' + x0.toFixed(2) + ' ' + yOf(v).toFixed(2) + ' L' + x1.toFixed(2) + ' ' + yOf(v).toFixed(2);
    });
    path += ' L' + ((values.length * bucketMs) / msPerPx).toFixed(2) + ' ' + yOf(0) + ' Z';
    chart.appendChild(svg('path', { 'class': 'area', d: path }));
    if (limit && limit <= yMax * 1.05) {
      chart.appendChild(svg('line', { 'class': 'limit', x1: 0, x2: width, y1: yOf(limit), y2: yOf(limit) }));
    }
    var label = svg('text', { x: 2, y: 11 });
    label.textContent = 'in flight (average per ' + fmtMs(bucketMs) + '): peak ' + peak + (limit ? ' \u00b7 limit ' + limit + (limit > yMax * 1.05 ? ' (above the chart)' : ' (dashed)') : '');
    chart.appendChild(label);
  }

  doc.addEventListener('click', function (event) {
    var target = event.target.closest ? event.target.closest('[data-scale]') : null;
    if (!target) return;
    scaleMode = target.getAttribute('data-scale');
    var buttons = doc.querySelectorAll('[data-scale]');
    for (var i = 0; i < buttons.length; i += 1) buttons[i].setAttribute('aria-pressed', String(buttons[i] === target));
    renderTimeline();
  });

  // The tooltip for a bar, on hover and on keyboard focus.
  var tip = byId('tip');
  function showTip(node) {
    clear(tip);
    if (node.hasAttribute('data-baseline')) {
      tip.appendChild(el('div', null, node.getAttribute('data-label')));
    } else {
      var r = results[Number(node.getAttribute('data-index'))];
      if (!r) return;
      var head = el('div');
      head.appendChild(verdictLabel(r.v));
      head.appendChild(doc.createTextNode(' ' + (r.st === null ? 'no response' : r.st) + (r.code ? ' ' + r.code : '')));
      tip.appendChild(head);
      tip.appendChild(el('div', 'url mono', r.u));
      tip.appendChild(el('div', null, 'started at ' + fmtMs(r.t) + ', took ' + fmtMs(r.d) + (r.a > 1 ? ' over ' + plural(r.a, 'attempt') : '')));
      var timing = timingText(r);
      if (timing) tip.appendChild(el('div', 'muted', timing));
      tip.appendChild(el('div', 'muted', where(r)));
    }
    tip.hidden = false;
    var box = node.getBoundingClientRect();
    var left = Math.min(window.scrollX + box.left, window.scrollX + doc.documentElement.clientWidth - tip.offsetWidth - 8);
    tip.style.left = Math.max(0, left) + 'px';
    tip.style.top = (window.scrollY + box.bottom + 6) + 'px';
  }
  function hideTip() { tip.hidden = true; }
  function barOf(target) { return target && target.closest ? target.closest('[data-bar],[data-baseline]') : null; }
  ['mouseover', 'focusin'].forEach(function (type) {
    byId('waterfall').addEventListener(type, function (event) { var bar = barOf(event.target); if (bar) showTip(bar); });
  });
  ['mouseout', 'focusout'].forEach(function (type) {
    byId('waterfall').addEventListener(type, function (event) { if (barOf(event.target)) hideTip(); });
  });
  doc.addEventListener('keydown', function (event) {
    if (event.key === 'Escape') { hideTip(); return; }
    if (event.key !== 'c' || event.ctrlKey || event.metaKey || event.altKey) return;
    var active = doc.activeElement;
    if (!active || !active.getAttribute || !active.hasAttribute('data-url')) return;
    var url = active.getAttribute('data-url');
    var status = byId('status');
    try {
      if (navigator.clipboard && navigator.clipboard.writeText) {
        navigator.clipboard.writeText(url).then(function () { status.textContent = 'Copied ' + url; }, function () { status.textContent = 'Could not copy: select the URL instead'; });
      }
    } catch (error) {
      status.textContent = 'Could not copy: select the URL instead';
    }
  });

  // ---- latency: a log-scale histogram of every check, and the slowest URLs ----
  function renderHistogram() {
    var chart = byId('histogram');
    clear(chart);
    var counts = data.latency.counts;
    var perDecade = data.latency.perDecade;
    var first = -1;
    var last = -1;
    var most = 0;
    counts.forEach(function (n, i) {
      if (n > 0) { if (first < 0) first = i; last = i; if (n > most) most = n; }
    });
    var width = Math.min(chartWidth(), 960);
    var height = 150;
    chart.setAttribute('width', width);
    chart.setAttribute('height', height + 34);
    if (first < 0) {
      chart.setAttribute('aria-label', 'no check made a request');
      var none = svg('text', { x: 4, y: 16 });
      none.textContent = 'No check made a request.';
      chart.appendChild(none);
      return;
    }
    first = Math.max(0, first - 1);
    last = Math.min(counts.length - 1, last + 1);
    function lowMs(i) { return i === 0 ? 0 : Math.pow(10, (i - 1) / perDecade); }
    function highMs(i) { return Math.pow(10, i / perDecade); }
    var n = last - first + 1;
    var barWidth = width / n;
    chart.setAttribute('role', 'img');
    chart.setAttribute('aria-label', 'latency of ' + plural(counts.reduce(function (a, b) { return a + b; }, 0), 'check') + ' on a log scale, from ' + fmtMs(lowMs(first)) + ' to ' + fmtMs(highMs(last)));
    for (var i = first; i <= last; i += 1) {
      var h = counts[i] === 0 ? 0 : Math.max(1, (counts[i] / most) * height);
      var rect = svg('rect', { 'class': 'bar', x: (i - first) * barWidth + 0.5, y: 8 + height - h, width: Math.max(1, barWidth - 1), height: h, 'data-bucket': i, 'data-checks': counts[i] });
      var title = svg('title');
      title.textContent = fmtMs(lowMs(i)) + ' to ' + fmtMs(highMs(i)) + ': ' + plural(counts[i], 'check');
      rect.appendChild(title);
      chart.appendChild(rect);
    }
    var axisY = 8 + height;
    chart.appendChild(svg('line', { 'class': 'grid', x1: 0, x2: width, y1: axisY, y2: axisY }));
    for (var k = first; k <= last + 1; k += 1) {
      if (k === 0 || (k - 1) % perDecade !== 0) continue;
      var x = (k - first) * barWidth;
      chart.appendChild(svg('line', { 'class': 'grid', x1: x, x2: x, y1: axisY, y2: axisY + 4 }));
      var label = svg('text', { x: x + 2, y: axisY + 15 });
      label.textContent = fmtMs(lowMs(k));
      chart.appendChild(label);
    }
    function xOfMs(ms) {
      if (ms < 1) return (0 - first) * barWidth + ms * barWidth;
      var position = 1 + Math.log10(ms) * perDecade;
      return (position - first) * barWidth;
    }
    if (summary.latencyMs) {
      [['p50', summary.latencyMs.p50], ['p95', summary.latencyMs.p95]].forEach(function (m) {
        var x = xOfMs(m[1]);
        chart.appendChild(svg('line', { 'class': 'marker', x1: x, x2: x, y1: 4, y2: axisY }));
        var label = svg('text', { x: x + 3, y: 14 + (m[0] === 'p95' ? 12 : 0) });
        label.textContent = m[0] + ' ' + fmtMs(m[1]);
        chart.appendChild(label);
      });
    }
    var caption = svg('text', { x: 0, y: axisY + 30 });
    caption.textContent = 'checks per bucket (' + perDecade + ' per tenfold of time); every check that made a request is counted';
    chart.appendChild(caption);
  }

  function renderSlowest() {
    var list = byId('slowest');
    clear(list);
    var slow = results.filter(function (r) { return (r.k & 2) !== 0; }).sort(function (a, b) { return b.d - a.d || byInput(a, b); });
    if (slow.length === 0) list.appendChild(el('li', 'muted', 'No check made a request.'));
    slow.forEach(function (r) {
      var item = el('li');
      item.setAttribute('data-url', r.u);
      item.appendChild(el('strong', 'mono', fmtMs(r.d)));
      item.appendChild(doc.createTextNode(' '));
      item.appendChild(verdictLabel(r.v));
      item.appendChild(doc.createTextNode(' '));
      item.appendChild(el('code', 'url', r.u));
      item.appendChild(el('span', 'muted', ' ' + where(r)));
      list.appendChild(item);
    });
  }

  // ---- every shown result in a table: filtered, searched and sorted, rendered a chunk at a time ----
  var filterVerdict = byId('filter-verdict');
  var filterCode = byId('filter-code');
  var search = byId('search');
  var tbody = byId('results').tBodies[0];
  var more = byId('more');
  var sortKey = 'input';
  var sortDir = 1;
  var matches = [];
  var renderedRows = 0;
  var SORTS = {
    input: byInput,
    verdict: function (a, b) { return RANK[a.v] - RANK[b.v] || byInput(a, b); },
    url: function (a, b) { return a.u < b.u ? -1 : a.u > b.u ? 1 : byInput(a, b); },
    status: function (a, b) { return (a.st === null ? -1 : a.st) - (b.st === null ? -1 : b.st) || byInput(a, b); },
    code: function (a, b) { return a.code < b.code ? -1 : a.code > b.code ? 1 : byInput(a, b); },
    time: function (a, b) { return a.d - b.d || byInput(a, b); },
    start: function (a, b) { return (a.placed ? a.t : -1) - (b.placed ? b.t : -1) || byInput(a, b); }
  };

  (function fillFilters() {
    var verdictCounts = {};
    var codeCounts = {};
    results.forEach(function (r) {
      verdictCounts[r.v] = (verdictCounts[r.v] || 0) + 1;
      r.codes.forEach(function (c) { codeCounts[c] = (codeCounts[c] || 0) + 1; });
    });
    VERDICTS.forEach(function (v) {
      var option = el('option', null, ICON[v] + ' ' + v + ' (' + count(verdictCounts[v] || 0) + ')');
      option.value = v;
      filterVerdict.appendChild(option);
    });
    Object.keys(codeCounts).sort().forEach(function (c) {
      var option = el('option', null, c + ' (' + count(codeCounts[c]) + ')');
      option.value = c;
      filterCode.appendChild(option);
    });
  })();

  function row(r) {
    var tr = el('tr', 'v-' + r.v);
    tr.setAttribute('data-url', r.u);
    tr.setAttribute('data-verdict', r.v);
    tr.setAttribute('data-code', r.code);
    tr.setAttribute('data-codes', r.codes.join(' '));
    var cell = el('td');
    cell.appendChild(verdictLabel(r.v));
    tr.appendChild(cell);
    var urlCell = el('td');
    urlCell.appendChild(el('code', 'url', r.u));
    if (r.f) urlCell.appendChild(el('div', 'muted url', '\u2192 ' + r.f + ' (' + plural(r.r ? r.r.length : 0, 'redirect') + ')'));
    if (r.ch === 'newly-failing' || r.ch === 'recovered') urlCell.appendChild(el('span', 'badge', r.ch === 'recovered' ? 'recovered' : 'newly failing'));
    tr.appendChild(urlCell);
    tr.appendChild(el('td', 'num mono', r.st === null ? '\u2014' : r.st));
    var codeCell = el('td', 'mono', r.codes.join(' '));
    if (r.c) codeCell.title = r.m;
    else if (r.w) codeCell.title = r.w.map(function (w) { return w[1]; }).join('; ');
    tr.appendChild(codeCell);
    tr.appendChild(el('td', 'num', fmtMs(r.d)));
    tr.appendChild(el('td', 'num', r.placed ? fmtMs(r.t) : '\u2014'));
    tr.appendChild(el('td', 'mono', where(r)));
    return tr;
  }
  function renderMore() {
    var end = Math.min(matches.length, renderedRows + CHUNK);
    var rows = doc.createDocumentFragment();
    for (var i = renderedRows; i < end; i += 1) rows.appendChild(row(matches[i]));
    tbody.appendChild(rows);
    renderedRows = end;
    var left = matches.length - renderedRows;
    more.hidden = left <= 0;
    more.textContent = 'Show ' + count(Math.min(CHUNK, left)) + ' more (' + count(left) + ' not shown yet)';
  }
  function applyFilters() {
    var verdict = filterVerdict.value;
    var code = filterCode.value;
    var query = search.value.trim().toLowerCase();
    matches = results.filter(function (r) {
      if (verdict && r.v !== verdict) return false;
      if (code && r.codes.indexOf(code) < 0) return false;
      return !query || r.lower.indexOf(query) >= 0;
    });
    var compare = SORTS[sortKey];
    matches.sort(function (a, b) { return sortDir * compare(a, b); });
    var counter = byId('results-count');
    counter.setAttribute('data-value', matches.length);
    counter.textContent = plural(matches.length, 'result') + ' match' + (matches.length === 1 ? 'es' : '') +
      (matches.length < results.length ? ' (of ' + count(results.length) + ' in this report)' : '');
    clear(tbody);
    renderedRows = 0;
    renderMore();
  }
  filterVerdict.addEventListener('change', applyFilters);
  filterCode.addEventListener('change', applyFilters);
  search.addEventListener('input', applyFilters);
  more.addEventListener('click', renderMore);
  if (typeof IntersectionObserver === 'function') {
    new IntersectionObserver(function (entries) {
      if (entries.some(function (entry) { return entry.isIntersecting; }) && !more.hidden) renderMore();
    }, { rootMargin: '400px' }).observe(more);
  }
  var sortButtons = doc.querySelectorAll('[data-sort]');
  for (var s = 0; s < sortButtons.length; s += 1) {
    sortButtons[s].addEventListener('click', function (event) {
      var key = event.currentTarget.getAttribute('data-sort');
      sortDir = key === sortKey ? -sortDir : key === 'time' ? -1 : 1;
      sortKey = key;
      for (var j = 0; j < sortButtons.length; j += 1) {
        var th = sortButtons[j].parentNode;
        var active = sortButtons[j].getAttribute('data-sort') === sortKey;
        if (active) th.setAttribute('aria-sort', sortDir > 0 ? 'ascending' : 'descending');
        else th.removeAttribute('aria-sort');
      }
      applyFilters();
    });
  }

  var resizeTimer = 0;
  window.addEventListener('resize', function () {
    clearTimeout(resizeTimer);
    resizeTimer = setTimeout(function () { measureWidth(); renderTimeline(); renderHistogram(); }, 150);
  });

  // How long each part of the first render took, in milliseconds (for the browser tests and the bench).
  var timings = { start: Math.round(scriptStart), prepare: Math.round((performance.now() - scriptStart) * 10) / 10 };
  measureWidth();
  [['failures', renderFailures], ['timeline', renderTimeline], ['histogram', renderHistogram], ['slowest', renderSlowest], ['table', applyFilters]].forEach(function (part) {
    var before = performance.now();
    part[1]();
    timings[part[0]] = Math.round((performance.now() - before) * 10) / 10;
  });
  window.__urlcheckRenderTimings = timings;
  root.setAttribute('data-rendered', '1');
  window.__urlcheckRenderMs = performance.now();
})();
`;
