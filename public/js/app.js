/* Portail Famille — progressive enhancement only: every page works without this file. See docs/ui.md. */
/* global fetch, FormData, URLSearchParams, HTMLInputElement, HTMLFormElement, setTimeout, clearTimeout */
'use strict';

(function () {
  const RESUBMIT_DELAY_MS = 10000;

  // (1) Error summary: focus it so screen readers announce it; its links focus the field.
  const summary = document.querySelector('.error-summary');
  if (summary) {
    if (!summary.hasAttribute('tabindex')) summary.setAttribute('tabindex', '-1');
    summary.focus();
    summary.addEventListener('click', (event) => {
      const link = event.target.closest('a[href^="#"]');
      const target = link && document.getElementById(decodeURIComponent(link.hash.slice(1)));
      if (!target) return;
      event.preventDefault();
      const label = target.id && document.querySelector('label[for="' + target.id + '"]');
      const legend = target.closest('fieldset') && target.closest('fieldset').querySelector('legend');
      (legend || label || target).scrollIntoView();
      target.focus({ preventScroll: true });
    });
  }

  // (2) data-confirm and (5) double-submit protection, in one submit listener.
  document.addEventListener('submit', (event) => {
    const form = event.target;
    if (!(form instanceof HTMLFormElement)) return;
    const isPost = (form.getAttribute('method') || 'get').toLowerCase() === 'post';
    if (isPost && form.dataset.submitting === 'true') {
      event.preventDefault();
      return;
    }
    const message = form.getAttribute('data-confirm');
    if (message && !window.confirm(message)) {
      event.preventDefault();
      return;
    }
    if (!isPost) return;
    form.dataset.submitting = 'true';
    // Disable after the browser has read the submitter's name/value.
    setTimeout(() => setBusy(form, true), 0);
    form._reenable = setTimeout(() => setBusy(form, false), RESUBMIT_DELAY_MS);
  });

  function setBusy(form, busy) {
    if (!busy) {
      delete form.dataset.submitting;
      clearTimeout(form._reenable);
    }
    form
      .querySelectorAll('button:not([type="button"]):not([type="reset"]), input[type="submit"]')
      .forEach((b) => {
        b.disabled = busy;
      });
  }

  // Back/forward cache: a restored page must not keep disabled buttons.
  window.addEventListener('pageshow', (event) => {
    if (event.persisted) document.querySelectorAll('form[data-submitting]').forEach((f) => setBusy(f, false));
  });

  // (3) Autosave of radio choices (attendance sheet): the row of the radio that changed is posted
  // as if its own submit button had been clicked; a form without rows is posted whole. A row is an
  // element marked data-autosave-row, or a child of a list marked data-autosave-rows.
  const saving = new WeakMap(); // row or form -> { busy, again }
  const ROW = '[data-autosave-row], [data-autosave-rows] > *';

  document.addEventListener('change', (event) => {
    const input = event.target;
    if (!(input instanceof HTMLInputElement) || input.type !== 'radio') return;
    const form = input.closest('form[data-autosave]');
    if (form) autosave(form, input.closest(ROW), findStatus(form, input));
  });

  // Where to say "saved": the row's (or fieldset's) [data-autosave-status] or <output>, else the form's.
  function findStatus(form, input) {
    const scope = input.closest(`${ROW}, fieldset`);
    return (
      (scope && scope.querySelector('[data-autosave-status], output')) ||
      form.querySelector('[data-autosave-status]') ||
      document.querySelector('[data-autosave-status]')
    );
  }

  function showStatus(form, status, ok) {
    if (!status) return;
    const text = (name) => status.getAttribute(name) || form.getAttribute(name);
    status.textContent = ok
      ? text('data-ok') || 'Enregistré'
      : text('data-error') || "Échec de l'enregistrement, réessayez";
    status.classList.toggle('is-error', !ok);
  }

  /** The fields a click on the row's button would send: the form's own, the row's, the button. */
  function rowBody(form, row) {
    const body = new URLSearchParams();
    for (const field of form.elements) {
      const owner = field.closest(ROW);
      if (!field.name || field.disabled || (owner && owner !== row)) continue;
      if (field.type === 'submit' || field.type === 'button' || field.type === 'reset') continue;
      if ((field.type === 'radio' || field.type === 'checkbox') && !field.checked) continue;
      body.append(field.name, field.value);
    }
    const button = row.querySelector('button[name]');
    if (button) body.append(button.name, button.value);
    return body;
  }

  function autosave(form, row, status) {
    const key = row || form;
    const state = saving.get(key) || { busy: false, again: false };
    saving.set(key, state);
    if (state.busy) {
      state.again = true; // one more save with the latest values when this one ends
      return;
    }
    state.busy = true;
    if (status) status.textContent = '';
    fetch(form.action, {
      method: 'POST',
      body: row ? rowBody(form, row) : new URLSearchParams(new FormData(form)),
      headers: { Accept: 'application/json' },
      credentials: 'same-origin',
    })
      .then((response) => {
        const type = response.headers.get('Content-Type') || '';
        // Not JSON (session expired → login page, HTML error page…): let the server speak.
        if (!type.includes('application/json')) throw new Error('not json');
        showStatus(form, status, response.ok);
        state.busy = false;
        if (state.again) {
          state.again = false;
          autosave(form, row, status);
        }
      })
      .catch(() => {
        // Network failure or unexpected answer: ordinary submit, of this row's button if any.
        const button = row && row.querySelector('button[name]');
        if (button && form.requestSubmit) form.requestSubmit(button);
        else form.submit();
      });
  }

  // (4) Print buttons: rendered with the hidden attribute, shown only when JS can print.
  document.querySelectorAll('[data-print]').forEach((button) => button.removeAttribute('hidden'));
  document.addEventListener('click', (event) => {
    const button = event.target.closest && event.target.closest('[data-print]');
    if (!button) return;
    event.preventDefault();
    window.print();
  });

  // Stacked tables (.table--stack, docs/ui.md): some browsers drop a table's semantics once its
  // parts are display: block on a phone; the explicit roles keep it a table for screen readers.
  document.querySelectorAll('table.table--stack').forEach((table) => {
    table.setAttribute('role', 'table');
    table.querySelectorAll('thead, tbody, tfoot').forEach((group) => group.setAttribute('role', 'rowgroup'));
    table.querySelectorAll('tr').forEach((row) => row.setAttribute('role', 'row'));
    table.querySelectorAll('th').forEach((th) => {
      th.setAttribute('role', th.getAttribute('scope') === 'row' ? 'rowheader' : 'columnheader');
    });
    table.querySelectorAll('td').forEach((td) => td.setAttribute('role', 'cell'));
  });

  // Scrollable tables: keyboard-reachable and named (WCAG 2.1.1), only when they do scroll.
  document.querySelectorAll('.table-wrap').forEach((wrap) => {
    if (wrap.scrollWidth <= wrap.clientWidth || wrap.hasAttribute('tabindex')) return;
    const caption = wrap.querySelector('caption');
    wrap.setAttribute('tabindex', '0');
    wrap.setAttribute('role', 'region');
    if (caption && !wrap.hasAttribute('aria-label'))
      wrap.setAttribute('aria-label', caption.textContent.trim());
  });
})();
