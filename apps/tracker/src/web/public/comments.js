// Comments: checks the optional file like the evidence upload does (type and size, the limits the
// server applies), sends the comment with the session's CSRF token, shows the server's refusal if any.
(function () {
  'use strict';
  var zh = document.documentElement.lang !== 'en';

  function fill(template, values) {
    return template.replace(/\{(\w+)\}/g, function (whole, key) {
      return Object.prototype.hasOwnProperty.call(values, key) ? String(values[key]) : whole;
    });
  }

  document.querySelectorAll('form[data-comment-form]').forEach(function (form) {
    var body = form.querySelector('textarea[name=body]');
    var input = form.querySelector('input[type=file]');
    var button = form.querySelector('button[type=submit]');
    var status = form.querySelector('[data-comment-status]');
    var list = form.querySelector('[data-comment-errors]');

    function problems() {
      var out = [];
      if (!body.value.trim()) out.push({ el: body, text: form.getAttribute('data-msg-empty') });
      var f = input.files[0];
      if (f) {
        var types = form.getAttribute('data-types').split(',');
        var dot = f.name.lastIndexOf('.');
        var ext = dot > 0 ? f.name.slice(dot + 1).toLowerCase() : '';
        var key = null;
        if (types.indexOf(ext) < 0) key = 'data-msg-type';
        else if (f.size > Number(form.getAttribute('data-max-bytes'))) key = 'data-msg-size';
        else if (f.size === 0) key = 'data-msg-empty-file';
        if (key) out.push({ el: input, text: fill(form.getAttribute(key), { name: f.name }) });
      }
      return out;
    }

    function show(found) {
      list.textContent = '';
      [body, input].forEach(function (el) {
        el.removeAttribute('aria-invalid');
      });
      found.forEach(function (p) {
        var li = document.createElement('li');
        li.textContent = p.text;
        list.appendChild(li);
        if (p.el) p.el.setAttribute('aria-invalid', 'true');
      });
    }

    input.addEventListener('change', function () {
      show(problems().filter(function (p) {
        return p.el === input;
      }));
    });

    form.addEventListener('submit', function (e) {
      e.preventDefault();
      var found = problems();
      show(found);
      if (found.length) {
        found[0].el.focus();
        return;
      }
      var data = new FormData();
      data.append('body', body.value);
      if (input.files[0]) data.append('file', input.files[0], input.files[0].name);
      button.disabled = true;
      status.textContent = form.getAttribute('data-msg-sending');
      fetch(form.getAttribute('action'), {
        method: 'POST',
        body: data,
        credentials: 'same-origin',
        headers: { 'x-csrf-token': window.tracker.csrf, accept: 'application/json' },
      })
        .then(function (res) {
          if (res.ok) {
            return res.text().then(function () {
              window.location.assign(form.getAttribute('data-done'));
            });
          }
          return res
            .json()
            .catch(function () {
              return {};
            })
            .then(function (answer) {
              var field = answer.errors && answer.errors[0] && answer.errors[0].field;
              var text = (zh ? answer.messageZh : answer.message) || form.getAttribute('data-msg-failed');
              show([{ el: field === 'file' ? input : field === 'body' ? body : null, text: text }]);
              status.textContent = '';
              button.disabled = false;
            });
        })
        .catch(function () {
          show([{ el: null, text: form.getAttribute('data-msg-failed') }]);
          status.textContent = '';
          button.disabled = false;
        });
    });
  });
})();
