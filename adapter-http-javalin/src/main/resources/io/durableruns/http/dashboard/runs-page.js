// The runs page: counts per status, filters, a search by run id, and one page of runs that refreshes itself
// without losing the filters, the page or the scroll position (all of them live in the address).
import * as api from './api.js';
import { h, replace } from './dom.js';
import * as fmt from './format.js';
import { badge, describe, icon } from './status.js';
import { errorBox, poll, setRefreshStatus } from './ui.js';

const RUN_STATUSES = ['QUEUED', 'RUNNING', 'SUCCEEDED', 'FAILED', 'CANCELLED'];
const PAGE_SIZE = 50;
const REFRESH_MS = 5000;
const FULL_RUN_ID = /^run_[0-9a-hjkmnp-tv-z]{26}$/;
const PREVIOUS_KEY = 'durable-runs.previous-cursors';

/** Where "Newer" leads from a page: remembered per tab, so it also works after a reload. */
function previousCursors() {
  try {
    return JSON.parse(sessionStorage.getItem(PREVIOUS_KEY)) || {};
  } catch (e) {
    return {};
  }
}

function rememberPrevious(cursor, previous) {
  const all = previousCursors();
  all[cursor] = previous;
  sessionStorage.setItem(PREVIOUS_KEY, JSON.stringify(all));
}

function query(params, changes) {
  const next = new URLSearchParams(params);
  for (const [key, value] of Object.entries(changes)) {
    if (value === null || value === undefined || value === '') next.delete(key);
    else next.set(key, value);
  }
  const text = next.toString();
  return '/' + (text ? '?' + text : '');
}

export function mountRuns(main, params, navigate) {
  const filters = {
    status: params.get('status') || '',
    graph: params.get('graph') || '',
    id: params.get('id') || '',
    cursor: params.get('cursor') || '',
  };
  const pageNumber = Number(params.get('page') || '1');

  const chips = h('div', { class: 'chips', role: 'group', 'aria-label': 'Filter by status' });
  const graphSelect = h('select', {
    id: 'graph-filter', 'aria-label': 'Graph',
    onchange: () => navigate(query(params, { graph: graphSelect.value, cursor: null, page: null })),
  }, h('option', { value: '' }, 'All graphs'));
  const searchInput = h('input', {
    id: 'run-search', type: 'search', placeholder: 'Run id or its beginning', value: filters.id,
    'aria-label': 'Search by run id', spellcheck: 'false', autocomplete: 'off',
  });
  const searchForm = h('form', {
    class: 'search', role: 'search',
    onsubmit: (event) => {
      event.preventDefault();
      const value = searchInput.value.trim().toLowerCase();
      if (FULL_RUN_ID.test(value)) navigate('/runs/' + value);
      else navigate(query(params, { id: value, cursor: null, page: null }));
    },
  }, searchInput, h('button', { class: 'button', type: 'submit' }, 'Search'));
  const tbody = h('tbody', { id: 'runs-body' });
  const table = h('table', { class: 'runs-table', id: 'runs-table' },
    h('thead', {}, h('tr', {},
      h('th', { scope: 'col' }, 'Run'), h('th', { scope: 'col' }, 'Graph'), h('th', { scope: 'col' }, 'Status'),
      h('th', { scope: 'col' }, 'Created'), h('th', { scope: 'col', class: 'num' }, 'Duration'),
      h('th', { scope: 'col' }, 'Current step'))),
    tbody);
  const pager = h('div', { class: 'pager' });
  const problem = h('div');

  replace(main,
    h('div', { class: 'page-head' }, h('h1', {}, 'Runs'), chips),
    h('div', { class: 'toolbar' }, graphSelect, searchForm,
      filters.id ? h('a', { href: query(params, { id: null, cursor: null, page: null }), class: 'clear' },
        'Clear search') : null),
    problem,
    h('div', { class: 'table-wrap' }, table),
    pager);

  api.get('/api/graphs').then((body) => {
    const names = [...new Set(body.graphs.map((g) => g.name))].sort();
    for (const name of names) graphSelect.appendChild(h('option', { value: name }, name));
    if (filters.graph && !names.includes(filters.graph)) {
      graphSelect.appendChild(h('option', { value: filters.graph }, filters.graph));
    }
    graphSelect.value = filters.graph;
  }).catch(() => {});

  function renderChips(counts) {
    const total = RUN_STATUSES.reduce((sum, st) => sum + counts.counts[st], 0);
    const capped = RUN_STATUSES.some((st) => counts.counts[st] >= counts.cap);
    const chip = (status, label, n) => h('a', {
      class: 'chip' + (filters.status === status ? ' active' : '') + (status ? ' tone-' + describe(status).tone : ''),
      href: query(params, { status: status || null, cursor: null, page: null }),
      'data-status-filter': status || 'ALL',
      'aria-current': filters.status === status ? 'true' : null,
    }, status ? icon(status) : null, h('span', {}, label), h('span', { class: 'chip-count' }, n));
    replace(chips,
      chip('', 'All', total.toLocaleString() + (capped ? '+' : '')),
      RUN_STATUSES.map((st) => chip(st, describe(st).label, fmt.count(counts.counts[st], counts.cap))));
  }

  function row(run) {
    const end = run.finishedAt;
    const current = run.currentSteps.map((st) => h('span', { class: 'current-step tone-' + describe(st.status).tone },
      icon(st.status), h('span', {}, st.name), st.attempt > 0 ? h('span', { class: 'muted' }, ' · attempt ' + st.attempt) : null));
    return h('tr', { 'data-run-id': run.id },
      h('td', {}, h('a', { href: '/runs/' + run.id, class: 'run-link mono' }, run.id)),
      h('td', {}, h('span', { class: 'graph-name' }, run.graph), h('span', { class: 'muted' }, ' v' + run.version)),
      h('td', {}, badge(run.status)),
      h('td', { title: fmt.dateTime(run.createdAt) }, fmt.relative(run.createdAt)),
      h('td', { class: 'num' }, fmt.duration(fmt.between(run.createdAt, end))),
      h('td', {}, current.length ? current : h('span', { class: 'muted' }, '–')));
  }

  function renderPage(page) {
    if (page.runs.length === 0) {
      const filtered = filters.status || filters.graph || filters.id;
      replace(tbody, h('tr', {}, h('td', { colspan: 6, class: 'empty' },
        filtered ? 'No runs match these filters.' : 'No runs yet. Start one with POST /api/runs.')));
    } else {
      replace(tbody, page.runs.map(row));
    }
    const previous = filters.cursor ? previousCursors()[filters.cursor] : undefined;
    const newer = filters.cursor
      ? h('a', { class: 'button', id: 'newer-page',
        href: query(params, { cursor: previous || null, page: pageNumber > 2 && previous ? pageNumber - 1 : null }) }, '← Newer')
      : h('span', { class: 'button disabled', 'aria-disabled': 'true' }, '← Newer');
    const older = page.nextCursor
      ? h('a', { class: 'button', id: 'older-page', href: query(params, { cursor: page.nextCursor, page: pageNumber + 1 }),
        onclick: () => rememberPrevious(page.nextCursor, filters.cursor) }, 'Older →')
      : h('span', { class: 'button disabled', 'aria-disabled': 'true' }, 'Older →');
    replace(pager, newer, h('span', { class: 'muted' }, 'Page ' + pageNumber), older);
  }

  const statusParam = filters.status ? '&status=' + encodeURIComponent(filters.status) : '';
  const graphParam = filters.graph ? '&graph=' + encodeURIComponent(filters.graph) : '';
  const listPath = '/api/runs?limit=' + PAGE_SIZE + statusParam + graphParam
    + (filters.id ? '&id=' + encodeURIComponent(filters.id) : '')
    + (filters.cursor ? '&cursor=' + encodeURIComponent(filters.cursor) : '');
  const countsPath = '/api/run-counts' + (filters.graph ? '?graph=' + encodeURIComponent(filters.graph) : '');

  return poll(async () => {
    try {
      const [page, counts] = await Promise.all([api.get(listPath), api.get(countsPath)]);
      renderChips(counts);
      renderPage(page);
      if (performance.getEntriesByName('runs-rendered').length === 0) performance.mark('runs-rendered');
      replace(problem);
      setRefreshStatus('Updated ' + new Date().toLocaleTimeString() + ' · refreshes every ' + REFRESH_MS / 1000 + ' s');
    } catch (e) {
      replace(problem, errorBox(e));
      throw e;
    } finally {
      main.setAttribute('aria-busy', 'false');
    }
  }, REFRESH_MS);
}
