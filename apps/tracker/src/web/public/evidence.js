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

  // Sends the chosen files; resolves true once the server has stored them (false: refused, shown).
  function upload(form) {
    var input = form.querySelector('input[type=file]');
    var button = form.querySelector('button[type=submit]');
    var status = form.querySelector('[data-upload-status]');
    var found = problems(form, input.files);
    show(form, found);
    if (found.length) return Promise.resolve(false);
    var data = new FormData();
    Array.prototype.forEach.call(input.files, function (f) {
      data.append('files', f, f.name);
    });
    button.disabled = true;
    status.textContent = form.getAttribute('data-msg-uploading');
    var failed = function (text) {
      show(form, [text || form.getAttribute('data-msg-failed')]);
      status.textContent = '';
      button.disabled = false;
      return false;
    };
    return fetch(form.getAttribute('action'), {
      method: 'POST',
      body: data,
      credentials: 'same-origin',
      headers: { 'x-csrf-token': window.tracker.csrf, accept: 'application/json' },
    })
      .then(function (res) {
        // Read the answer to the end before going on, so the request completes cleanly.
        if (res.ok) return res.text().then(function () { return true; });
        return res
          .json()
          .catch(function () {
            return {};
          })
          .then(function (body) {
            return failed(zh ? body.messageZh : body.message);
          });
      })
      .catch(function () {
        return failed();
      });
  }

  var uploadForm = document.querySelector('form[data-upload]');
  var activityForm = document.querySelector('form[data-activity-form]');
  var edited = false;
  if (activityForm) {
    activityForm.addEventListener('input', function () {
      edited = true;
    });
  }

  // Submits the activity form as if `action` (save or submit) had been pressed.
  function send(action) {
    var hidden = document.createElement('input');
    hidden.type = 'hidden';
    hidden.name = 'action';
    hidden.value = action;
    activityForm.appendChild(hidden);
    activityForm.submit();
  }

  if (uploadForm) {
    var input = uploadForm.querySelector('input[type=file]');
    input.addEventListener('change', function () {
      var found = input.files.length ? problems(uploadForm, input.files) : [];
      show(uploadForm, found);
      uploadForm.querySelector('button[type=submit]').disabled = found.length > 0;
    });
    uploadForm.addEventListener('submit', function (e) {
      e.preventDefault();
      upload(uploadForm).then(function (ok) {
        if (!ok) return;
        // Unsaved edits of the activity are saved with the upload, not thrown away by the reload.
        if (activityForm && edited) send('save');
        else window.location.assign(uploadForm.getAttribute('data-done'));
      });
    });
  }

  // A file chosen but not uploaded goes up first when the activity is saved or submitted.
  if (activityForm && uploadForm) {
    activityForm.addEventListener('submit', function (e) {
      var input = uploadForm.querySelector('input[type=file]');
      if (!input.files.length) return;
      e.preventDefault();
      var action = e.submitter && e.submitter.value ? e.submitter.value : 'save';
      uploadForm.querySelector('[data-upload-status]').textContent = uploadForm.getAttribute('data-msg-pending');
      upload(uploadForm).then(function (ok) {
        if (ok) send(action);
        else input.focus();
      });
    });
  }

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
