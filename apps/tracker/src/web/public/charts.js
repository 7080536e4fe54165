// Draws every <canvas data-chart="{…chart.js config…}"> with the config the server built (the same
// builder renders the e-mail PNGs). Waits for the web font so Chinese labels use it.
(function () {
  'use strict';

  function draw() {
    document.querySelectorAll('canvas[data-chart]').forEach(function (canvas) {
      if (canvas.getAttribute('data-rendered') === 'true') return;
      var config = JSON.parse(canvas.getAttribute('data-chart'));
      new window.Chart(canvas, config);
      canvas.setAttribute('data-rendered', 'true');
    });
    document.documentElement.setAttribute('data-charts', 'ready');
  }

  var ready = document.fonts && document.fonts.ready ? document.fonts.ready : Promise.resolve();
  ready.then(draw, draw);
})();
