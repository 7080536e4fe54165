// Acceptance pack (<a data-pack="status-id">): fetched here so the page can show that the pack is being
// prepared and how much of it has arrived (the server sends the zip's exact length first), then saved
// under the server's file name. Without script, or without streaming fetch, the link is a plain download.
(function () {
  'use strict';

  function fill(template, values) {
    return template.replace(/\{(\w+)\}/g, function (whole, key) {
      return Object.prototype.hasOwnProperty.call(values, key) ? String(values[key]) : whole;
    });
  }

  function size(n) {
    if (n >= 1024 * 1024) return (n / (1024 * 1024)).toFixed(1) + ' MB';
    if (n >= 1024) return (n / 1024).toFixed(1) + ' KB';
    return n + ' B';
  }

  /** The UTF-8 name of Content-Disposition (filename*=UTF-8''…), else its plain filename. */
  function fileName(header) {
    var star = /filename\*=UTF-8''([^;]+)/i.exec(header || '');
    if (star) {
      try {
        return decodeURIComponent(star[1]);
      } catch {
        // a malformed name: fall through to the plain one
      }
    }
    var plain = /filename="([^"]+)"/i.exec(header || '');
    return plain ? plain[1] : 'acceptance-pack.zip';
  }

  document.querySelectorAll('a[data-pack]').forEach(function (link) {
    var status = document.getElementById(link.getAttribute('data-pack'));
    if (!status || !window.fetch || !window.ReadableStream || !window.URL || !URL.createObjectURL) return;
    var text = status.querySelector('[data-pack-text]');
    var bar = status.querySelector('[data-pack-bar]');

    /** fraction: 0–1 shows how far; null an indeterminate bar (preparing); undefined no bar. */
    function say(message, fraction) {
      status.hidden = false;
      text.textContent = message;
      bar.hidden = fraction === undefined;
      if (fraction === null) bar.removeAttribute('value');
      else if (fraction !== undefined) bar.value = Math.round(fraction * 100);
    }

    link.addEventListener('click', function (e) {
      e.preventDefault();
      if (link.getAttribute('aria-disabled') === 'true') return;
      link.setAttribute('aria-disabled', 'true');
      link.classList.add('busy');
      say(link.getAttribute('data-msg-preparing'), null);
      fetch(link.href, { credentials: 'same-origin' })
        .then(function (res) {
          if (!res.ok || !res.body) throw new Error('HTTP ' + res.status);
          var total = Number(res.headers.get('Content-Length')) || 0;
          var name = fileName(res.headers.get('Content-Disposition'));
          var reader = res.body.getReader();
          var chunks = [];
          var received = 0;
          function pump() {
            return reader.read().then(function (r) {
              if (r.done) return;
              chunks.push(r.value);
              received += r.value.length;
              say(
                fill(link.getAttribute('data-msg-progress'), {
                  received: size(received),
                  total: total ? size(total) : '?',
                }),
                total ? received / total : null,
              );
              return pump();
            });
          }
          return pump().then(function () {
            var url = URL.createObjectURL(new Blob(chunks, { type: 'application/zip' }));
            var a = document.createElement('a');
            a.href = url;
            a.download = name;
            document.body.appendChild(a);
            a.click();
            a.remove();
            setTimeout(function () {
              URL.revokeObjectURL(url);
            }, 60000);
            say(fill(link.getAttribute('data-msg-done'), { total: size(received) }), undefined);
          });
        })
        .catch(function (err) {
          say(fill(link.getAttribute('data-msg-failed'), { reason: err.message }), undefined);
        })
        .then(function () {
          link.removeAttribute('aria-disabled');
          link.classList.remove('busy');
        });
    });
  });
})();
