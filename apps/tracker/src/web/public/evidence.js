// Evidence: checks files before upload (type and size, the same limits the server applies), uploads
// them with the session's CSRF token, shows the server's refusal if any; and shows PDFs and images
// inline when their viewer is opened.
(function () {
  'use strict';
  var zh = document.documentElement.lang !== 'en';

  function fill(template, values) {
    return template.replace(/\{(\w+)\}/g, function (whole, key) {
      return Object.prototype.hasOwnProperty.call(values, key) ? String(values[key]) : whole;
    });
  }

  function problems(form, files) {
    var maxBytes = Number(form.getAttribute('data-max-bytes'));
    var maxFiles = Number(form.getAttribute('data-max-files'));
    var types = form.getAttribute('data-types').split(',');
    var out = [];
    if (!files.length) out.push(form.getAttribute('data-msg-none'));
    if (files.length > maxFiles) out.push(form.getAttribute('data-msg-count'));
    Array.prototype.forEach.call(files, function (f) {
      var dot = f.name.lastIndexOf('.');
      var ext = dot > 0 ? f.name.slice(dot + 1).toLowerCase() : '';
      if (types.indexOf(ext) < 0) out.push(fill(form.getAttribute('data-msg-type'), { name: f.name }));
      else if (f.size > maxBytes) out.push(fill(form.getAttribute('data-msg-size'), { name: f.name }));
      else if (f.size === 0) out.push(fill(form.getAttribute('data-msg-empty'), { name: f.name }));
    });
    return out;
  }

  function show(form, messages) {
    var list = form.querySelector('[data-upload-errors]');
    list.textContent = '';
    messages.forEach(function (m) {
      var li = document.createElement('li');
      li.textContent = m;
      list.appendChild(li);
    });
    var input = form.querySelector('input[type=file]');
    if (messages.length) input.setAttribute('aria-invalid', 'true');
    else input.removeAttribute('aria-invalid');
  }

  document.querySelectorAll('form[data-upload]').forEach(function (form) {
    var input = form.querySelector('input[type=file]');
    var button = form.querySelector('button[type=submit]');
    var status = form.querySelector('[data-upload-status]');
    input.addEventListener('change', function () {
      var found = input.files.length ? problems(form, input.files) : [];
      show(form, found);
      button.disabled = found.length > 0;
    });
    form.addEventListener('submit', function (e) {
      e.preventDefault();
      var found = problems(form, input.files);
      show(form, found);
      if (found.length) return;
      var data = new FormData();
      Array.prototype.forEach.call(input.files, function (f) {
        data.append('files', f, f.name);
      });
      button.disabled = true;
      status.textContent = form.getAttribute('data-msg-uploading');
      fetch(form.getAttribute('action'), {
        method: 'POST',
        body: data,
        credentials: 'same-origin',
        headers: { 'x-csrf-token': window.tracker.csrf, accept: 'application/json' },
      })
        .then(function (res) {
          if (res.ok) {
            // Read the answer to the end before leaving, so the request completes cleanly.
            return res.text().then(function () {
              window.location.assign(form.getAttribute('data-done'));
            });
          }
          return res
            .json()
            .catch(function () {
              return {};
            })
            .then(function (body) {
              var text = (zh ? body.messageZh : body.message) || form.getAttribute('data-msg-failed');
              show(form, [text]);
              status.textContent = '';
              button.disabled = false;
            });
        })
        .catch(function () {
          show(form, [form.getAttribute('data-msg-failed')]);
          status.textContent = '';
          button.disabled = false;
        });
    });
  });

  // <details data-viewer="pdf|image" data-src>: the file is fetched only when the viewer is opened.
  document.addEventListener(
    'toggle',
    function (e) {
      var d = e.target;
      if (!d.matches || !d.matches('details[data-viewer]') || !d.open || d.querySelector('.viewer, .viewer-img')) return;
      var el;
      if (d.getAttribute('data-viewer') === 'pdf') {
        el = document.createElement('iframe');
        el.className = 'viewer';
        el.title = d.getAttribute('data-name');
      } else {
        el = document.createElement('img');
        el.className = 'viewer-img';
        el.alt = d.getAttribute('data-name');
      }
      el.src = d.getAttribute('data-src');
      d.appendChild(el);
    },
    true,
  );
})();
