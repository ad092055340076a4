// Shared pieces of the page: the notice line, the confirmation dialog, the refresh indicator and polling.
import { h, replace } from './dom.js';

/** Shows a message under the top bar; kind is 'ok' or 'error'. */
export function notify(message, kind = 'ok') {
  const notice = document.getElementById('notice');
  notice.className = 'notice notice-' + kind;
  replace(notice, h('span', {}, message), h('button', {
    class: 'notice-close', type: 'button', 'aria-label': 'Dismiss', onclick: () => { notice.hidden = true; },
  }, '×'));
  notice.hidden = false;
}

export function clearNotice() {
  document.getElementById('notice').hidden = true;
}

/** Asks for confirmation in a modal dialog; resolves to true when confirmed. */
export function confirmAction(title, text, confirmLabel) {
  const dialog = document.getElementById('confirm-dialog');
  document.getElementById('confirm-title').textContent = title;
  document.getElementById('confirm-text').textContent = text;
  document.getElementById('confirm-yes').textContent = confirmLabel;
  return new Promise((resolve) => {
    dialog.addEventListener('close', () => resolve(dialog.returnValue === 'confirm'), { once: true });
    dialog.returnValue = '';
    dialog.showModal();
  });
}

export function setRefreshStatus(text) {
  document.getElementById('refresh-status').textContent = text;
}

/**
 * Calls load() now and then every intervalMs after the previous call finished, while the tab is visible.
 * Returns a function that stops it.
 */
export function poll(load, intervalMs) {
  let timer = null;
  let stopped = false;
  const run = async () => {
    timer = null;
    if (stopped) return;
    if (document.visibilityState === 'visible') {
      try {
        await load();
      } catch (e) {
        setRefreshStatus('Refresh failed: ' + e.message);
      }
    }
    if (!stopped) timer = setTimeout(run, intervalMs);
  };
  const onVisible = () => {
    if (document.visibilityState === 'visible' && timer !== null) {
      clearTimeout(timer);
      run();
    }
  };
  document.addEventListener('visibilitychange', onVisible);
  run();
  return () => {
    stopped = true;
    if (timer !== null) clearTimeout(timer);
    document.removeEventListener('visibilitychange', onVisible);
  };
}

/** A section with a heading. */
export function section(title, ...content) {
  return h('section', { class: 'panel' }, h('h2', {}, title), content);
}

export function errorBox(error) {
  return h('div', { class: 'error-box', role: 'alert' }, h('strong', {}, 'Could not load: '), error.message);
}
