// Behaviour shared by every page. Loaded as a file (the CSP allows only the app's own scripts).
(function () {
  'use strict';

  var meta = document.querySelector('meta[name="csrf-token"]');
  window.tracker = { csrf: meta ? meta.getAttribute('content') : '' };

  // <button data-confirm="…">: ask before destructive actions.
  document.addEventListener('click', function (e) {
    var el = e.target.closest('[data-confirm]');
    if (el && !window.confirm(el.getAttribute('data-confirm'))) e.preventDefault();
  });

  // <button data-print>: print the page (the print stylesheet hides navigation and filters).
  document.addEventListener('click', function (e) {
    if (e.target.closest('[data-print]')) {
      e.preventDefault();
      window.print();
    }
  });

  // <select data-autosubmit>: filters apply as soon as they change.
  document.addEventListener('change', function (e) {
    var el = e.target;
    if (el.matches && el.matches('[data-autosubmit]') && el.form) el.form.submit();
  });

  // <input type=checkbox data-check-all="name">: selects every checkbox of that name.
  document.addEventListener('change', function (e) {
    var el = e.target;
    if (!el.matches || !el.matches('[data-check-all]')) return;
    var boxes = document.querySelectorAll('input[type=checkbox][name="' + el.getAttribute('data-check-all') + '"]');
    boxes.forEach(function (b) {
      b.checked = el.checked;
      var row = b.closest('tr');
      if (row) row.classList.toggle('selected', b.checked);
    });
  });

  // <select data-role-select>: shows only the scope fields of the chosen role ([data-for-role]).
  var roleSelect = document.querySelector('[data-role-select]');
  if (roleSelect) {
    var showScope = function () {
      document.querySelectorAll('[data-for-role]').forEach(function (el) {
        el.hidden = el.getAttribute('data-for-role') !== roleSelect.value;
      });
    };
    roleSelect.addEventListener('change', showScope);
    showScope();
  }

  // <th data-sort="num|text">: click to sort the table body by that column (cells may carry data-value).
  document.addEventListener('click', function (e) {
    var th = e.target.closest('th[data-sort]');
    if (!th) return;
    var table = th.closest('table');
    var body = table.tBodies[0];
    var index = Array.prototype.indexOf.call(th.parentNode.children, th);
    var numeric = th.getAttribute('data-sort') === 'num';
    var ascending = th.getAttribute('aria-sort') !== 'ascending';
    table.querySelectorAll('th[aria-sort]').forEach(function (h) {
      h.removeAttribute('aria-sort');
    });
    th.setAttribute('aria-sort', ascending ? 'ascending' : 'descending');
    var value = function (row) {
      var cell = row.children[index];
      var v = cell ? (cell.getAttribute('data-value') !== null ? cell.getAttribute('data-value') : cell.textContent.trim()) : '';
      return numeric ? Number(v) || 0 : v;
    };
    // A row marked data-detail (the overview's still-needed line) belongs to the row above it and moves with it.
    var rows = Array.prototype.slice.call(body.rows).filter(function (r) {
      return !r.hasAttribute('data-detail');
    });
    rows.forEach(function (r) {
      var next = r.nextElementSibling;
      r.detailRow = next && next.hasAttribute('data-detail') ? next : null;
    });
    var collator = new Intl.Collator(document.documentElement.lang, { numeric: true });
    rows.sort(function (a, b) {
      var x = value(a);
      var y = value(b);
      var c = numeric ? x - y : collator.compare(x, y);
      return ascending ? c : -c;
    });
    rows.forEach(function (r) {
      body.appendChild(r);
      if (r.detailRow) body.appendChild(r.detailRow);
    });
  });
  // <form data-keep-draft>: typed values are kept in this tab until the server confirms a save, so an
  // expired session (sign in again, come back) or a failed request does not throw them away.
  var DRAFT = 'draft:';
  var draftForm = document.querySelector('form[data-keep-draft]');
  if (/[?&]done=/.test(window.location.search)) {
    for (var i = window.sessionStorage.length - 1; i >= 0; i--) {
      var key = window.sessionStorage.key(i);
      if (key && key.indexOf(DRAFT) === 0) window.sessionStorage.removeItem(key);
    }
  } else if (draftForm) {
    var stored = null;
    try {
      stored = JSON.parse(window.sessionStorage.getItem(DRAFT + draftForm.getAttribute('action')) || 'null');
    } catch {
      stored = null;
    }
    var restored = false;
    if (stored) {
      Object.keys(stored).forEach(function (name) {
        var el = draftForm.elements.namedItem(name);
        if (!el || el.type === 'hidden' || el.type === 'file' || el.value === stored[name]) return;
        el.value = stored[name];
        restored = true;
      });
    }
    if (restored) {
      var kind = draftForm.querySelector('[data-kind-select]');
      if (kind) kind.dispatchEvent(new Event('change'));
      var note = document.createElement('div');
      note.className = 'flash ok';
      note.setAttribute('role', 'status');
      note.setAttribute('data-testid', 'draft-restored');
      note.textContent = draftForm.getAttribute('data-msg-restored');
      draftForm.insertBefore(note, draftForm.firstChild);
    }
  }
  if (draftForm) {
    var keep = function () {
      var values = {};
      Array.prototype.forEach.call(draftForm.elements, function (el) {
        if (!el.name || el.name === '_csrf' || el.type === 'hidden' || el.type === 'file' || el.type === 'submit') return;
        values[el.name] = el.value;
      });
      window.sessionStorage.setItem(DRAFT + draftForm.getAttribute('action'), JSON.stringify(values));
    };
    draftForm.addEventListener('input', keep);
    draftForm.addEventListener('change', keep);
  }
})();
