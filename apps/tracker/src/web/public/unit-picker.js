// Unit picker ([data-unit-picker], see _macros.njk): a combobox over GET /api/v1/units?q=, so any
// number of units can be chosen from. Without this script the server looks the typed text up instead.
(function () {
  'use strict';
  var LIMIT = 10;

  function fill(template, values) {
    return template.replace(/\{(\w+)\}/g, function (whole, key) {
      return Object.prototype.hasOwnProperty.call(values, key) ? String(values[key]) : whole;
    });
  }

  document.querySelectorAll('[data-unit-picker]').forEach(function (box) {
    var input = box.querySelector('[role=combobox]');
    var hidden = box.querySelector('[data-unit-id]');
    var list = box.querySelector('[role=listbox]');
    var status = box.querySelector('[data-picker-status]');
    var timer = null;
    var asked = 0;
    var active = -1;
    var units = [];

    function close() {
      list.hidden = true;
      input.setAttribute('aria-expanded', 'false');
      input.removeAttribute('aria-activedescendant');
      active = -1;
    }

    function highlight(i) {
      var options = list.querySelectorAll('[role=option]');
      if (!options.length) return;
      active = (i + options.length) % options.length;
      options.forEach(function (o, k) {
        o.setAttribute('aria-selected', k === active ? 'true' : 'false');
      });
      input.setAttribute('aria-activedescendant', options[active].id);
      options[active].scrollIntoView({ block: 'nearest' });
    }

    function choose(i) {
      var u = units[i];
      if (!u) return;
      input.value = u.name;
      hidden.value = String(u.id);
      status.textContent = u.name;
      close();
    }

    function show(found, q) {
      units = found;
      list.textContent = '';
      found.forEach(function (u, i) {
        var li = document.createElement('li');
        li.id = input.id + '-option-' + i;
        li.setAttribute('role', 'option');
        li.setAttribute('aria-selected', 'false');
        li.setAttribute('data-unit', String(u.id));
        li.textContent = u.name + ' ';
        var code = document.createElement('span');
        code.className = 'muted mono';
        code.textContent = u.creditCode;
        li.appendChild(code);
        // mousedown, not click: the field keeps its focus.
        li.addEventListener('mousedown', function (e) {
          e.preventDefault();
          choose(i);
        });
        list.appendChild(li);
      });
      status.textContent = found.length
        ? fill(box.getAttribute('data-msg-results'), { n: found.length })
        : fill(box.getAttribute('data-msg-none'), { q: q });
      list.hidden = found.length === 0;
      input.setAttribute('aria-expanded', found.length ? 'true' : 'false');
      active = -1;
    }

    function search() {
      var q = input.value.trim();
      if (!q) return close();
      var mine = ++asked;
      fetch('/api/v1/units?pageSize=' + LIMIT + '&q=' + encodeURIComponent(q), {
        credentials: 'same-origin',
        headers: { accept: 'application/json' },
      })
        .then(function (res) {
          return res.ok ? res.json() : { items: [] };
        })
        .then(function (body) {
          if (mine === asked) show(body.items || [], q);
        })
        .catch(function () {
          close();
        });
    }

    input.addEventListener('input', function () {
      hidden.value = '';
      clearTimeout(timer);
      timer = setTimeout(search, 200);
    });
    input.addEventListener('keydown', function (e) {
      var open = !list.hidden;
      if (e.key === 'ArrowDown') {
        e.preventDefault();
        if (!open) return search();
        highlight(active + 1);
      } else if (e.key === 'ArrowUp' && open) {
        e.preventDefault();
        highlight(active - 1);
      } else if (e.key === 'Enter' && open && active >= 0) {
        e.preventDefault();
        choose(active);
      } else if (e.key === 'Escape' && open) {
        e.preventDefault();
        close();
      }
    });
    input.addEventListener('blur', function () {
      setTimeout(close, 100);
    });
  });
})();
