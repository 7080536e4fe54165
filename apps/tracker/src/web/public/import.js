// Unit import: sends the .csv/.xlsx to the import API with the session's CSRF token and shows the
// per-row report (a dry run only checks). The page reloads after a real import so the list is current.
(function () {
  'use strict';
  var zh = document.documentElement.lang !== 'en';
  var form = document.querySelector('form[data-import]');
  if (!form) return;
  var out = form.querySelector('[data-import-result]');

  function fill(template, values) {
    return template.replace(/\{(\w+)\}/g, function (whole, key) {
      return Object.prototype.hasOwnProperty.call(values, key) ? String(values[key]) : whole;
    });
  }

  // The report names fields by their codes (creditCode, contacts.0.email): shown by their names.
  var labels = JSON.parse(form.getAttribute('data-field-labels') || '{}');
  function fieldLabel(field) {
    var contact = /^contacts\.(\d+)\.(name|email)$/.exec(field);
    if (contact) {
      var key = contact[2] === 'email' ? 'contactEmailN' : 'contactNameN';
      if (labels[key]) return fill(labels[key], { n: Number(contact[1]) + 1 });
    }
    return Object.prototype.hasOwnProperty.call(labels, field) ? labels[field] : field;
  }

  function message(text, isError) {
    out.textContent = '';
    var p = document.createElement('p');
    p.className = isError ? 'flash error' : 'flash ok';
    p.textContent = text;
    out.appendChild(p);
  }

  function report(r) {
    message(fill(form.getAttribute(r.dryRun ? 'data-msg-dry' : 'data-msg-summary'), r), r.errors.length > 0);
    if (!r.errors.length) return;
    var wrap = document.createElement('div');
    wrap.className = 'table-wrap';
    var table = document.createElement('table');
    wrap.appendChild(table);
    var head = table.createTHead().insertRow();
    ['data-col-row', 'data-col-field', 'data-col-message'].forEach(function (a) {
      var th = document.createElement('th');
      th.textContent = form.getAttribute(a);
      head.appendChild(th);
    });
    var body = table.createTBody();
    r.errors.forEach(function (e) {
      var row = body.insertRow();
      [e.row, fieldLabel(e.field), zh ? e.messageZh : e.message].forEach(function (v) {
        row.insertCell().textContent = String(v);
      });
    });
    out.appendChild(wrap);
  }

  form.addEventListener('submit', function (e) {
    e.preventDefault();
    var file = form.querySelector('input[type=file]').files[0];
    if (!file) return message(form.getAttribute('data-msg-none'), true);
    if (!/\.(csv|xlsx)$/i.test(file.name)) return message(form.getAttribute('data-msg-type'), true);
    var dry = form.querySelector('input[name=dryRun]').checked;
    out.textContent = '';
    var data = new FormData();
    data.append('file', file, file.name);
    fetch(form.getAttribute('action') + (dry ? '?dryRun=true' : ''), {
      method: 'POST',
      body: data,
      credentials: 'same-origin',
      headers: { 'x-csrf-token': window.tracker.csrf, accept: 'application/json' },
    })
      .then(function (res) {
        return res
          .json()
          .catch(function () {
            return {};
          })
          .then(function (body) {
            if (!res.ok) return message((zh ? body.messageZh : body.message) || form.getAttribute('data-msg-failed'), true);
            report(body);
          });
      })
      .catch(function () {
        message(form.getAttribute('data-msg-failed'), true);
      });
  });
})();
