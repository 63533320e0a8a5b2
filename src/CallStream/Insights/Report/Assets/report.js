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
  function draw(id, config) {
    var canvas = document.getElementById('chart-' + id);
    if (canvas) { new Chart(canvas, config); }
  }
  function horizontalBar(id, labels, values, label, barColor, title) {
    draw(id, {
      type: 'bar',
      data: { labels: labels, datasets: [{ label: label, data: values, backgroundColor: barColor }] },
      options: { indexAxis: 'y', plugins: { legend: { display: false } }, scales: { x: axis(title) } }
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

  draw('channels', {
    type: 'bar',
    data: {
      labels: channelLabels,
      datasets: [
        { label: 'Total (hours)', data: channelNames.map(function (c) { return round(figures.channels[c].totalSeconds / 3600, 1); }), backgroundColor: channelColors, order: 1, yAxisID: 'y' },
        { label: 'Average (minutes)', type: 'line', order: 0, data: channelNames.map(function (c) { return round(figures.channels[c].avgSeconds / 60, 1); }), borderColor: '#323f4b', backgroundColor: '#323f4b', yAxisID: 'y1' }
      ]
    },
    options: { scales: { y: axis('hours'), y1: axis('minutes', { position: 'right', grid: { drawOnChartArea: false } }) } }
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
    options: { scales: { y: axis('interactions'), y1: axis('failure rate (%)', { position: 'right', grid: { drawOnChartArea: false } }) } }
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
    options: { plugins: { legend: { display: false } }, scales: { y: axis('resolved interactions') } }
  });

  horizontalBar('agentTime',
    figures.durationPerAgent.map(function (a) { return a.agentId; }),
    figures.durationPerAgent.map(function (a) { return round(a.totalSeconds / 3600, 1); }),
    'Hours', color.blue, 'hours');

  horizontalBar('longCalls',
    figures.agentsWithLongInteractions.map(function (a) { return a.agentId; }),
    figures.agentsWithLongInteractions.map(function (a) { return a.interactions; }),
    'Calls', color.purple, 'interactions over ' + figures.longInteractionSeconds + ' s');

  draw('topAgents', {
    type: 'bar',
    data: {
      labels: figures.topAgents.map(function (a) { return a.agentId; }),
      datasets: [
        { label: 'Resolved', data: figures.topAgents.map(function (a) { return a.resolved; }), backgroundColor: color.resolved, order: 1, yAxisID: 'y' },
        { label: 'CSAT', type: 'line', order: 0, data: figures.topAgents.map(function (a) { return a.averageSatisfaction === null ? null : round(a.averageSatisfaction, 2); }), borderColor: '#323f4b', backgroundColor: '#323f4b', showLine: false, pointRadius: 4, yAxisID: 'y1' }
      ]
    },
    options: { scales: { y: axis('resolved'), y1: axis('CSAT', { beginAtZero: false, min: 1, max: 5, position: 'right', grid: { drawOnChartArea: false } }) } }
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
    options: { indexAxis: 'y', scales: { x: axis('interactions', { stacked: true }), y: { stacked: true } } }
  });

  var alertDays = figures.alertsPerDay;
  draw('alertsOverTime', {
    type: 'bar',
    data: {
      labels: alertDays.map(function (d) { return d.day; }),
      datasets: ['critical', 'warning', 'info'].map(function (s) {
        return { label: s.charAt(0).toUpperCase() + s.slice(1), data: alertDays.map(function (d) { return d[s]; }), backgroundColor: color[s] };
      })
    },
    options: { scales: { x: { stacked: true }, y: axis('alerts', { stacked: true }) } }
  });

  horizontalBar('alertsByRule',
    figures.alertsByRule.map(function (r) { return r.rule; }),
    figures.alertsByRule.map(function (r) { return r.alerts; }),
    'Alerts', color.critical, 'alerts');

  draw('alertsByChannel', {
    type: 'bar',
    data: {
      labels: channelLabels,
      datasets: [{ label: 'Alerts', data: channelNames.map(function (c) { return figures.alertsByChannel[c]; }), backgroundColor: channelColors }]
    },
    options: { plugins: { legend: { display: false } }, scales: { y: axis('alerts') } }
  });

  horizontalBar('customerAlerts',
    figures.customersWithMostAlerts.map(function (c) { return c.customerId; }),
    figures.customersWithMostAlerts.map(function (c) { return c.alerts; }),
    'Alerts', color.warning, 'alerts');

  // Where each chart is on the page (CSS pixels), for screenshot checks.
  var boxes = Array.prototype.map.call(document.querySelectorAll('canvas[id^="chart-"]'), function (canvas) {
    var r = canvas.getBoundingClientRect();
    return { id: canvas.id, x: Math.round(r.left + window.scrollX), y: Math.round(r.top + window.scrollY), width: Math.round(r.width), height: Math.round(r.height) };
  });
  body.setAttribute('data-chart-boxes', JSON.stringify(boxes));
  body.setAttribute('data-page-height', String(document.documentElement.scrollHeight));
}());
