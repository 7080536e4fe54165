// Activity form: shows only the fields of the chosen requirement kind. Hidden fieldsets are also
// disabled, so their inputs are neither required nor sent.
(function () {
  'use strict';
  var select = document.querySelector('[data-kind-select]');
  if (!select) return;
  function show() {
    document.querySelectorAll('fieldset[data-kind]').forEach(function (fs) {
      var on = fs.getAttribute('data-kind') === select.value;
      fs.hidden = !on;
      fs.disabled = !on;
    });
  }
  select.addEventListener('change', show);
  show();
})();
