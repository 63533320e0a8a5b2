// Draws the CallStream insights report's charts from the page's JSON data block with Chart.js.
// Labels from the data reach the page only through Chart.js, which draws them on canvases (never as HTML).
(function () {
  'use strict';
  var body = document.body;
  var figures = JSON.parse(document.getElementById('report-data').textContent);
  if (typeof Chart === 'undefined') {
    body.setAttribute('data-charts-error', 'Chart.js is not available');
    return;
  }

  var color = {
    resolved: '#59a14f', failed: '#e15759', problematic: '#f28e2b',
    info: '#4e79a7', warning: '#f28e2b', critical: '#e15759',
    blue: '#4e79a7', teal: '#76b7b2', purple: '#b07aa1', olive: '#8cd17d', brown: '#9c755f'
  };
  var channelNames = ['email', 'chat', 'voice', 'video'];
  var channelLabels = ['Email', 'Chat', 'Voice', 'Video'];
  var channelColors = [color.blue, color.teal, color.purple, color.brown];

  // Every chart counts itself once it has drawn; the body carries the count and, for checks, where each chart is.
  var drawn = {};
  Chart.register({
    id: 'callstreamRendered',
    afterRender: function (chart) {
      var id = chart.canvas.id;
      if (!drawn[id]) {
        drawn[id] = true;
        body.setAttribute('data-charts-rendered', String(Object.keys(drawn).length));
      }
    }
  });
  // Writes each bar's value at its end, for charts that ask for it (options.plugins.valueLabels.display): a short bar
  // next to a long one still says how many it stands for.
  Chart.register({
    id: 'valueLabels',
    defaults: { display: false },
    afterDatasetsDraw: function (chart, args, options) {
      if (!options.display) { return; }
      var ctx = chart.ctx;
      var horizontal = chart.options.indexAxis === 'y';
      ctx.save();
      ctx.font = '12px ' + Chart.defaults.font.family;
      ctx.fillStyle = '#323f4b';
      ctx.textAlign = horizontal ? 'left' : 'center';
      ctx.textBaseline = horizontal ? 'middle' : 'bottom';
      chart.data.datasets.forEach(function (dataset, i) {
        var meta = chart.getDatasetMeta(i);
        if (meta.type !== 'bar' || !chart.isDatasetVisible(i)) { return; }
        meta.data.forEach(function (bar, j) {
          var value = dataset.data[j];
          if (value === null || value === undefined || value === 0) { return; }
          var text = Number(value).toLocaleString('en-US');
          if (horizontal) { ctx.fillText(text, bar.x + 4, bar.y); } else { ctx.fillText(text, bar.x, bar.y - 2); }
        });
      });
      ctx.restore();
    }
  });
  Chart.defaults.animation = false;
  Chart.defaults.responsive = true;
  Chart.defaults.maintainAspectRatio = false;
  Chart.defaults.color = '#3e4c59';
  Chart.defaults.font.family = 'system-ui, -apple-system, "Segoe UI", Roboto, Arial, sans-serif';
  Chart.defaults.plugins.legend.labels.boxWidth = 12;

  function day(text) { return String(text).slice(0, 10); }
  function round(value, digits) { var f = Math.pow(10, digits); return Math.round(value * f) / f; }
  function axis(title, extra) {
    var a = { beginAtZero: true, title: { display: true, text: title } };
    for (var k in extra) { a[k] = extra[k]; }
    return a;
  }
  // An axis of counts: whole-number ticks only.
  function countAxis(title, extra) {
    var a = axis(title, extra);
    a.ticks = a.ticks || {};
    a.ticks.precision = 0;
    a.counts = true;
    return a;
  }
  // Room at the bars' ends for their value labels.
  var labelRoom = { padding: { right: 48, top: 18 } };
  // A log axis labels only 1, 2 and 5 times a power of ten (no fractions below 1).
  function wholeLogTick(value) {
    if (value < 1) { return ''; }
    var power = Math.pow(10, Math.floor(Math.log10(value) + 1e-9));
    var lead = Math.round(value / power);
    return (lead === 1 || lead === 2 || lead === 5) && Math.abs(value - (lead * power)) < 1e-6 * value ? Number(value).toLocaleString('en-US') : '';
  }
  var charts = [];
  function draw(id, config) {
    var canvas = document.getElementById('chart-' + id);
    if (canvas) { charts.push(new Chart(canvas, config)); }
  }
  function horizontalBar(id, labels, values, label, barColor, valueAxis, valueLabels) {
    draw(id, {
      type: 'bar',
      data: { labels: labels, datasets: [{ label: label, data: values, backgroundColor: barColor }] },
      options: {
        indexAxis: 'y', layout: valueLabels ? labelRoom : {},
        plugins: { legend: { display: false }, valueLabels: { display: !!valueLabels } }, scales: { x: valueAxis }
      }
    });
  }

  var o = figures.outcomes;
  draw('outcomes', {
    type: 'doughnut',
    data: {
      labels: ['Resolved', 'Failed', 'Problematic'],
      datasets: [{ data: [o.resolved, o.failed, o.problematic], backgroundColor: [color.resolved, color.failed, color.problematic] }]
    },
    options: { plugins: { legend: { position: 'right' } } }
  });

  draw('channelVolume', {
    type: 'bar',
    data: {
      labels: channelLabels,
      datasets: [
        { label: 'Interactions', data: channelNames.map(function (c) { return figures.channels[c].count; }), backgroundColor: channelColors, order: 1, yAxisID: 'y' },
        { label: 'Average duration (minutes)', type: 'line', order: 0, data: channelNames.map(function (c) { return round(figures.channels[c].avgSeconds / 60, 1); }), borderColor: '#323f4b', backgroundColor: '#323f4b', yAxisID: 'y1' }
      ]
    },
    options: {
      layout: labelRoom, plugins: { valueLabels: { display: true } },
      scales: { y: countAxis('interactions', { grace: '8%' }), y1: axis('minutes', { position: 'right', grid: { drawOnChartArea: false } }) }
    }
  });

  draw('channels', {
    type: 'bar',
    data: {
      labels: channelLabels,
      datasets: [{ label: 'Total (hours)', data: channelNames.map(function (c) { return round(figures.channels[c].totalSeconds / 3600, 1); }), backgroundColor: channelColors }]
    },
    options: { plugins: { legend: { display: false } }, scales: { y: axis('hours') } }
  });

  var days = figures.daily.map(function (d) { return day(d.day); });
  draw('volume', {
    type: 'bar',
    data: {
      labels: days,
      datasets: [
        { label: 'Interactions', data: figures.daily.map(function (d) { return d.interactions; }), backgroundColor: color.blue, order: 1, yAxisID: 'y' },
        { label: 'Failure rate (%)', type: 'line', order: 0, data: figures.daily.map(function (d) { return round(d.failureRate * 100, 2); }), borderColor: color.failed, backgroundColor: color.failed, pointRadius: 2, yAxisID: 'y1' }
      ]
    },
    options: { scales: { y: countAxis('interactions'), y1: axis('failure rate (%)', { position: 'right', grid: { drawOnChartArea: false } }) } }
  });

  draw('quality', {
    type: 'line',
    data: {
      labels: days,
      datasets: [
        { label: 'Average handle time (minutes)', data: figures.daily.map(function (d) { return round(d.averageHandleSeconds / 60, 2); }), borderColor: color.purple, backgroundColor: color.purple, pointRadius: 2, yAxisID: 'y' },
        { label: 'CSAT (1–5)', data: figures.daily.map(function (d) { return d.averageSatisfaction === null ? null : round(d.averageSatisfaction, 2); }), borderColor: color.resolved, backgroundColor: color.resolved, pointRadius: 2, yAxisID: 'y1' }
      ]
    },
    options: { scales: { y: axis('minutes'), y1: axis('CSAT', { beginAtZero: false, min: 1, max: 5, position: 'right', grid: { drawOnChartArea: false } }) } }
  });

  draw('bands', {
    type: 'bar',
    data: {
      labels: figures.resolutionBands.map(function (b) { return b.label; }),
      datasets: [{ label: 'Resolved interactions', data: figures.resolutionBands.map(function (b) { return b.interactions; }), backgroundColor: color.resolved }]
    },
    options: { plugins: { legend: { display: false } }, scales: { y: countAxis('resolved interactions') } }
  });

  horizontalBar('agentTime',
    figures.durationPerAgent.map(function (a) { return a.agentId; }),
    figures.durationPerAgent.map(function (a) { return round(a.totalSeconds / 3600, 1); }),
    'Hours', color.blue, axis('hours'));

  horizontalBar('longCalls',
    figures.agentsWithLongInteractions.map(function (a) { return a.agentId; }),
    figures.agentsWithLongInteractions.map(function (a) { return a.interactions; }),
    'Calls', color.purple, countAxis('interactions over ' + figures.longInteractionSeconds + ' s'), true);

  draw('topAgents', {
    type: 'bar',
    data: {
      labels: figures.topAgents.map(function (a) { return a.agentId; }),
      datasets: [
        { label: 'Resolved', data: figures.topAgents.map(function (a) { return a.resolved; }), backgroundColor: color.resolved, order: 1, yAxisID: 'y' },
        { label: 'CSAT', type: 'line', order: 0, data: figures.topAgents.map(function (a) { return a.averageSatisfaction === null ? null : round(a.averageSatisfaction, 2); }), borderColor: '#323f4b', backgroundColor: '#323f4b', showLine: false, pointRadius: 4, yAxisID: 'y1' }
      ]
    },
    options: { scales: { y: countAxis('resolved'), y1: axis('CSAT', { beginAtZero: false, min: 1, max: 5, position: 'right', grid: { drawOnChartArea: false } }) } }
  });

  var per = figures.outcomesPerAgent;
  draw('agentOutcomes', {
    type: 'bar',
    data: {
      labels: per.map(function (a) { return a.agentId; }),
      datasets: [
        { label: 'Resolved', data: per.map(function (a) { return a.resolved; }), backgroundColor: color.resolved },
        { label: 'Failed', data: per.map(function (a) { return a.failed; }), backgroundColor: color.failed },
        { label: 'Problematic', data: per.map(function (a) { return a.problematic; }), backgroundColor: color.problematic }
      ]
    },
    options: { indexAxis: 'y', scales: { x: countAxis('interactions', { stacked: true }), y: { stacked: true } } }
  });

  // One band per severity, each with its own scale, so a few critical alerts show beside hundreds of info ones.
  // Axes of one stack are laid out in the order given, from the bottom up: info at the bottom, critical on top.
  var alertDays = figures.alertsPerDay;
  var severities = ['critical', 'warning', 'info'];
  var severityScales = {};
  severities.slice().reverse().forEach(function (s) {
    severityScales['y' + s] = countAxis(s, {
      stack: 'severity', stackWeight: 1, offset: true,
      border: { color: color[s], width: 2 }, title: { display: true, text: s, color: color[s] }
    });
  });
  draw('alertsOverTime', {
    type: 'bar',
    data: {
      labels: alertDays.map(function (d) { return d.day; }),
      datasets: severities.map(function (s) {
        return { label: s.charAt(0).toUpperCase() + s.slice(1), data: alertDays.map(function (d) { return d[s]; }), backgroundColor: color[s], yAxisID: 'y' + s, grouped: false };
      })
    },
    options: { scales: severityScales }
  });

  // One rule may raise far more alerts than another: past a ratio of 20, a log scale keeps every rule's bar visible.
  var ruleCounts = figures.alertsByRule.map(function (r) { return r.alerts; });
  var positive = ruleCounts.filter(function (n) { return n > 0; });
  var logScale = positive.length > 1 && Math.max.apply(null, positive) >= 20 * Math.min.apply(null, positive);
  horizontalBar('alertsByRule',
    figures.alertsByRule.map(function (r) { return r.rule; }),
    ruleCounts,
    'Alerts', color.critical,
    logScale
      ? axis('alerts (log scale)', { type: 'logarithmic', min: 0.5, ticks: { maxRotation: 0, callback: function (v) { return wholeLogTick(v); } } })
      : countAxis('alerts'),
    true);

  draw('alertsByChannel', {
    type: 'bar',
    data: {
      labels: channelLabels,
      datasets: [{ label: 'Alerts', data: channelNames.map(function (c) { return figures.alertsByChannel[c]; }), backgroundColor: channelColors }]
    },
    options: { layout: labelRoom, plugins: { legend: { display: false }, valueLabels: { display: true } }, scales: { y: countAxis('alerts', { grace: '8%' }) } }
  });

  horizontalBar('customerAlerts',
    figures.customersWithMostAlerts.map(function (c) { return c.customerId; }),
    figures.customersWithMostAlerts.map(function (c) { return c.alerts; }),
    'Alerts', color.warning, countAxis('alerts'), true);

  // Where each chart is on the page (CSS pixels), for screenshot checks.
  var boxes = Array.prototype.map.call(document.querySelectorAll('canvas[id^="chart-"]'), function (canvas) {
    var r = canvas.getBoundingClientRect();
    return { id: canvas.id, x: Math.round(r.left + window.scrollX), y: Math.round(r.top + window.scrollY), width: Math.round(r.width), height: Math.round(r.height) };
  });
  body.setAttribute('data-chart-boxes', JSON.stringify(boxes));
  // Each chart's axes as drawn (type, whether it counts, tick values), for checks.
  var axes = [];
  charts.forEach(function (chart) {
    Object.keys(chart.scales).forEach(function (key) {
      var scale = chart.scales[key];
      axes.push({
        chart: chart.canvas.id, axis: key, type: scale.type, counts: !!scale.options.counts, max: scale.max,
        ticks: scale.ticks.map(function (t) { return t.value; })
      });
    });
  });
  body.setAttribute('data-chart-axes', JSON.stringify(axes));
  body.setAttribute('data-page-height', String(document.documentElement.scrollHeight));
}());
