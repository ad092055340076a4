// The graphs page: every registered graph version with its structure, retry policies, fingerprint and the
// number of its runs that have not finished, so an operator knows when an old version can be retired.
import * as api from './api.js';
import { renderDag } from './dag.js';
import { h, replace } from './dom.js';
import * as fmt from './format.js';
import { errorBox, section } from './ui.js';

function retryText(retry) {
  if (!retry) return '–';
  const backoff = fmt.duration(retry.initialBackoffMs)
    + (retry.multiplier !== 1 ? ' ×' + retry.multiplier : '')
    + (retry.maxBackoffMs ? ' up to ' + fmt.duration(retry.maxBackoffMs) : '');
  return retry.maxAttempts + ' attempt' + (retry.maxAttempts === 1 ? '' : 's') + ', backoff ' + backoff
    + (retry.jitter ? ', jitter ' + Math.round(retry.jitter * 100) + '%' : '');
}

function graphCard(g) {
  const unfinished = g.unfinishedRuns;
  return h('article', { class: 'panel graph-card', id: g.name + '-v' + g.version, 'data-graph': g.name + '@' + g.version },
    h('header', { class: 'graph-head' },
      h('h2', {}, g.name, h('span', { class: 'muted' }, ' v' + g.version)),
      h('span', { class: 'pill' + (unfinished > 0 ? ' tone-running' : '') },
        unfinished === 0 ? 'no unfinished runs' : unfinished.toLocaleString() + ' unfinished run' + (unfinished === 1 ? '' : 's')),
      h('a', { href: '/?graph=' + encodeURIComponent(g.name) }, 'See its runs')),
    h('p', { class: 'fingerprint' }, 'Fingerprint ', h('code', {}, g.fingerprint)),
    h('div', { class: 'dag-wrap' }, renderDag(g.steps, {
      label: 'Steps of ' + g.name + ' v' + g.version,
      detail: (st) => [st.retry ? st.retry.maxAttempts + ' attempts' : null, st.timeoutMs ? fmt.duration(st.timeoutMs) + ' timeout' : null]
        .filter(Boolean).join(' · '),
    })),
    h('table', { class: 'steps-table' },
      h('thead', {}, h('tr', {}, h('th', {}, 'Step'), h('th', {}, 'Depends on'), h('th', {}, 'Retry policy'),
        h('th', {}, 'Not retried'), h('th', { class: 'num' }, 'Timeout'))),
      h('tbody', {}, g.steps.map((st) => h('tr', {},
        h('td', { class: 'mono' }, st.name),
        h('td', { class: 'mono' }, st.dependsOn.length ? st.dependsOn.join(', ') : '–'),
        h('td', {}, retryText(st.retry)),
        h('td', { class: 'mono small' }, st.retry && st.retry.nonRetryable.length ? st.retry.nonRetryable.join(', ') : '–'),
        h('td', { class: 'num' }, st.timeoutMs ? fmt.duration(st.timeoutMs) : '–'))))));
}

export function mountGraphs(main) {
  let active = true;
  api.get('/api/graphs').then((body) => {
    if (!active) return;
    replace(main, h('div', { class: 'page-head' }, h('h1', {}, 'Graphs')),
      body.graphs.length === 0 ? section('No graphs', h('p', {}, 'This server has no registered graph.')) : body.graphs.map(graphCard));
    if (window.location.hash) document.getElementById(window.location.hash.slice(1))?.scrollIntoView();
  }).catch((e) => {
    if (active) replace(main, errorBox(e));
  }).finally(() => main.setAttribute('aria-busy', 'false'));
  return () => { active = false; };
}
