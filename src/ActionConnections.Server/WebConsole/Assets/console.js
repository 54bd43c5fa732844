// ActionConnections console: the little script the forms need. Everything works without it;
// it only saves a click (choosing an integration) and adds rows to the HTTP lists.
'use strict';

document.addEventListener('DOMContentLoaded', () => {
  // A select that picks what the form shows reloads the form at once.
  for (const select of document.querySelectorAll('select[data-autosubmit]')) {
    select.addEventListener('change', () => select.form.requestSubmit());
  }
  for (const button of document.querySelectorAll('[data-js-hidden]')) {
    button.hidden = true;
  }

  // "Add a row" clones the list's template with the next free row number.
  for (const button of document.querySelectorAll('button[data-add-row]')) {
    button.hidden = false;
    button.addEventListener('click', () => {
      const list = document.getElementById(button.dataset.addRow);
      const template = document.getElementById(button.dataset.addRow + '-template');
      const next = Number(list.dataset.next || list.children.length);
      list.dataset.next = String(next + 1);
      const html = template.innerHTML.replaceAll('__row__', String(next));
      list.insertAdjacentHTML('beforeend', html);
      const first = list.lastElementChild && list.lastElementChild.querySelector('input, select, textarea');
      if (first) first.focus();
    });
  }

  // After a failed submit, keyboard and screen-reader users land on the list of errors.
  const summary = document.getElementById('error-summary');
  if (summary) summary.focus();
});
