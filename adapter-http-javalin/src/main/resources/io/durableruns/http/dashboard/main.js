// The dashboard's router: one page for /, /runs/{id} and /graphs, kept in step with the address bar through
// the History API so that links can be shared and the back button works.
import { h, replace } from './dom.js';
import { clearNotice, setRefreshStatus } from './ui.js';
import { mountRuns } from './runs-page.js';
import { mountRun } from './run-page.js';
import { mountGraphs } from './graphs-page.js';

const main = document.getElementById('main');
let dispose = () => {};

function route(url) {
  const path = url.pathname;
  const run = /^\/runs\/([^/]+)$/.exec(path);
  if (path === '/') return { section: 'runs', mount: () => mountRuns(main, url.searchParams, navigate) };
  if (run) return { section: 'runs', mount: () => mountRun(main, decodeURIComponent(run[1]), navigate) };
  if (path === '/graphs') return { section: 'graphs', mount: () => mountGraphs(main, navigate) };
  return {
    section: null,
    mount: () => {
      replace(main, h('div', { class: 'panel' }, h('h1', {}, 'Not found'),
        h('p', {}, 'Nothing here. '), h('a', { href: '/', 'data-nav': '' }, 'See the runs')));
      return () => {};
    },
  };
}

function render() {
  dispose();
  clearNotice();
  setRefreshStatus('');
  const url = new URL(window.location.href);
  const target = route(url);
  for (const link of document.querySelectorAll('nav a[data-section]')) {
    link.classList.toggle('active', link.dataset.section === target.section);
  }
  main.setAttribute('aria-busy', 'true');
  dispose = target.mount() || (() => {});
}

/** Goes to a path of the dashboard, adding a history entry unless replace is set. */
export function navigate(path, { replace: replaceEntry = false, keepScroll = false } = {}) {
  if (replaceEntry) {
    history.replaceState(null, '', path);
  } else {
    history.pushState(null, '', path);
  }
  if (!keepScroll) window.scrollTo(0, 0);
  render();
}

document.addEventListener('click', (event) => {
  const link = event.target.closest('a[href]');
  if (!link || event.defaultPrevented || event.button !== 0) return;
  if (event.metaKey || event.ctrlKey || event.shiftKey || event.altKey || link.hasAttribute('download')) return;
  const url = new URL(link.href, window.location.href);
  if (url.origin !== window.location.origin || url.pathname.startsWith('/api/') || link.target) return;
  event.preventDefault();
  navigate(url.pathname + url.search + url.hash);
});

window.addEventListener('popstate', render);
render();
