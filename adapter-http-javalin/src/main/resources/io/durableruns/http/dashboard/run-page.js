// The page of one run: its step graph, why each step is where it is, every attempt's error and tool calls,
// the timeline, artifacts, input and output, and the retry and cancel actions.
import * as api from './api.js';
import { attemptsByStep } from './attempts.js';
import { renderDag } from './dag.js';
import { h, replace } from './dom.js';
import * as fmt from './format.js';
import { badge, describe, isTerminalRun } from './status.js';
import { confirmAction, errorBox, notify, poll, section, setRefreshStatus } from './ui.js';
import { artifactsPanel } from './artifacts.js';
import { timelinePanel } from './timeline.js';

const REFRESH_MS = 2000;
const RUN_ID = /^run_[0-9a-hjkmnp-tv-z]{26}$/;

export function mountRun(main, id) {
  if (!RUN_ID.test(id)) {
    replace(main, h('div', { class: 'panel' }, h('h1', {}, 'Not a run id'),
      h('p', {}, 'Run ids are run_ followed by 26 lower-case base-32 characters; this one is ', h('code', {}, id), '.'),
      h('a', { href: '/' }, 'See the runs')));
    main.setAttribute('aria-busy', 'false');
    return () => {};
  }
  let lastSignature = null;
  let graphs = null;
  let finishedRendered = false;
  let stop = () => {};

  async function load() {
    if (finishedRendered) return;
    const base = api.runPath(id);
    const [run, timeline, tools, artifacts] = await Promise.all([
      api.get(base), api.get(base + '/timeline'), api.get(base + '/tool-calls'), api.get(base + '/artifacts'),
    ]);
    if (graphs === null) graphs = await api.get('/api/graphs').then((b) => b.graphs).catch(() => []);
    const signature = JSON.stringify([run, timeline.events.length, tools.toolCalls.length, artifacts.artifacts.length]);
    if (signature !== lastSignature) {
      lastSignature = signature;
      render(run, timeline.events, tools.toolCalls, artifacts.artifacts);
    }
    const terminal = isTerminalRun(run.status);
    setRefreshStatus(terminal ? 'Run finished' : 'Updated ' + new Date().toLocaleTimeString() + ' · refreshes every 2 s');
    if (terminal) {
      finishedRendered = true;
      stop();
    }
  }

  function render(run, events, toolCalls, artifacts) {
    const opened = new Map([...main.querySelectorAll('details[id]')].map((d) => [d.id, d.open]));
    const graph = graphs.find((g) => g.name === run.graph && g.version === run.version) || null;
    const policyOf = (name) => graph?.steps.find((st) => st.name === name)?.retry || null;
    const attempts = attemptsByStep(run, events, toolCalls);
    replace(main,
      h('nav', { class: 'crumbs' }, h('a', { href: '/' }, 'Runs'), ' / ', h('span', { class: 'mono' }, run.id)),
      header(run),
      failureSummary(run),
      section('Steps', h('div', { class: 'dag-wrap' }, renderDag(run.steps, {
        label: 'Steps of run ' + run.id,
        detail: (st) => stepDetailLine(st, policyOf(st.name)),
        onSelect: (st) => {
          const card = document.getElementById('step-' + st.name);
          if (card) {
            card.open = true;
            card.scrollIntoView({ behavior: 'smooth', block: 'start' });
            card.classList.add('flash');
            setTimeout(() => card.classList.remove('flash'), 1200);
          }
        },
      })), h('div', { class: 'step-cards' }, run.steps.map((st) => stepCard(run, st, policyOf(st.name), attempts.get(st.name), events)))),
      timelinePanel(run, events),
      artifactsPanel(run, artifacts),
      section('Input and output', h('div', { class: 'io' },
        h('div', {}, h('h3', {}, 'Input'), h('pre', { class: 'json', id: 'run-input' }, fmt.json(run.input))),
        h('div', {}, h('h3', {}, 'Output'), run.output === null
          ? h('p', { class: 'muted' }, isTerminalRun(run.status) ? 'No output.' : 'Not finished yet.')
          : h('pre', { class: 'json', id: 'run-output' }, fmt.json(run.output))))));
    for (const [detailsId, open] of opened) {
      const d = document.getElementById(detailsId);
      if (d) d.open = open;
    }
    main.setAttribute('aria-busy', 'false');
  }

  function header(run) {
    const actions = h('div', { class: 'actions' });
    if (run.status === 'FAILED') {
      actions.appendChild(h('button', { class: 'button primary', id: 'retry-run', type: 'button', onclick: () => act(run, 'retry') }, 'Retry run'));
    }
    if (!isTerminalRun(run.status)) {
      actions.appendChild(h('button', { class: 'button danger', id: 'cancel-run', type: 'button', onclick: () => act(run, 'cancel') }, 'Cancel run'));
    }
    return h('div', { class: 'run-head' },
      h('div', {},
        h('h1', { class: 'run-title' }, h('span', { class: 'mono', id: 'run-id' }, run.id), h('span', { id: 'run-status' }, badge(run.status))),
        h('dl', { class: 'facts' },
          h('dt', {}, 'Graph'), h('dd', {}, h('a', { href: '/graphs#' + run.graph + '-v' + run.version }, run.graph + ' v' + run.version)),
          h('dt', {}, 'Created'), h('dd', {}, fmt.dateTime(run.createdAt)),
          h('dt', {}, run.finishedAt ? 'Took' : 'Running for'), h('dd', {}, fmt.duration(fmt.between(run.createdAt, run.finishedAt))),
          run.finishedAt ? [h('dt', {}, 'Finished'), h('dd', {}, fmt.dateTime(run.finishedAt))] : null)),
      actions);
  }

  async function act(run, action) {
    const retry = action === 'retry';
    const confirmed = await confirmAction(
      retry ? 'Retry this run?' : 'Cancel this run?',
      retry
        ? 'The failed steps of ' + run.id + ' run again with a fresh budget of attempts; steps that succeeded keep their results.'
        : 'No further step of ' + run.id + ' will start, and running attempts will not be able to commit. This cannot be undone.',
      retry ? 'Retry run' : 'Cancel run');
    if (!confirmed) return;
    try {
      const after = await api.post(api.runPath(run.id) + '/' + action, {});
      notify((retry ? 'Retry requested' : 'Run cancelled') + ': the run is now ' + describe(after.status).label.toLowerCase() + '.', 'ok');
      lastSignature = null;
      finishedRendered = false;
      stop();
      start();
    } catch (e) {
      notify((retry ? 'Retry' : 'Cancel') + ' failed: ' + e.message, 'error');
    }
  }

  function start() {
    stop = poll(async () => {
      try {
        await load();
      } catch (e) {
        replace(main, h('nav', { class: 'crumbs' }, h('a', { href: '/' }, 'Runs')), errorBox(e));
        main.setAttribute('aria-busy', 'false');
        lastSignature = null;
        if (e.status === 404 || e.status === 400) {
          finishedRendered = true;
          stop();
        }
        throw e;
      }
    }, REFRESH_MS);
  }

  start();
  return () => stop();
}

function failureSummary(run) {
  if (run.status !== 'FAILED') return null;
  const failed = run.steps.find((st) => st.status === 'FAILED' && st.error);
  if (!failed) return null;
  return h('div', { class: 'failure', role: 'alert', id: 'failure-summary' },
    h('strong', {}, 'Step ' + failed.name + ' failed after ' + failed.attempt + ' attempt' + (failed.attempt === 1 ? '' : 's') + ': '),
    h('span', { class: 'mono' }, failed.error.type), h('span', {}, ': ' + failed.error.message));
}

/** "attempt 2 of 3 · 1.25 s": of the current budget, which a manual retry renews. */
function stepDetailLine(st, policy) {
  const parts = [];
  if (st.attempt > 0) {
    const budgetStart = st.attempt - st.attemptsInBudget;
    parts.push('attempt ' + st.attempt + (policy ? ' of ' + (budgetStart + policy.maxAttempts) : ''));
  }
  if (st.startedAt) parts.push(fmt.duration(fmt.between(st.startedAt, st.finishedAt)));
  return parts.join(' · ') || describe(st.status).label.toLowerCase();
}

/** "3 attempts of 4": how many attempts ran, out of the most its policy allows (a manual retry adds a budget). */
function attemptsLine(st, policy) {
  const budgetStart = st.attempt - st.attemptsInBudget;
  return st.attempt + (st.attempt === 1 ? ' attempt' : ' attempts') + (policy ? ' of ' + (budgetStart + policy.maxAttempts) : '');
}

/** Why a step that has not finished is where it is, in one sentence. */
function waitingReason(run, st, cancelReason) {
  if (isTerminalRun(run.status) && !['SUCCEEDED', 'FAILED', 'CANCELLED'].includes(st.status)) {
    return 'The run finished; this step will not run.';
  }
  const at = (iso) => fmt.when(iso) + ' (' + fmt.relative(iso) + ')';
  switch (st.status) {
    case 'PENDING': {
      const waiting = st.dependsOn.filter((d) => run.steps.find((o) => o.name === d)?.status !== 'SUCCEEDED');
      return 'Waiting for ' + (waiting.length ? waiting.join(', ') : st.pendingDeps + ' dependencies') + ' to succeed.';
    }
    case 'QUEUED':
      return st.dueAt && Date.parse(st.dueAt) > Date.now()
        ? 'Queued; due at ' + at(st.dueAt) + '.'
        : 'Ready since ' + at(st.dueAt) + '; waiting for a worker to claim it.';
    case 'RETRYING':
      return 'Attempt ' + st.attempt + ' failed; the next attempt is due at ' + (st.dueAt ? at(st.dueAt) : 'once a worker is free') + '.';
    case 'RUNNING':
      return 'Attempt ' + st.attempt + ' running since ' + at(st.startedAt) + '; lease held by ' + (st.leaseOwner || 'an executor')
        + (st.leaseUntil ? ' until ' + at(st.leaseUntil) + (Date.parse(st.leaseUntil) < Date.now() ? ': expired, the sweeper will recover it' : '') : '') + '.';
    case 'CANCELLED':
      return cancelReason ? 'Cancelled: ' + cancelReason + '.' : null;
    case 'SUCCEEDED':
    case 'FAILED':
      return null;
    default:
      return 'Status ' + st.status + '.';
  }
}

function stepCard(run, st, policy, attempts, events) {
  const cancelled = events.filter((e) => e.type === 'STEP_CANCELLED' && e.step === st.name).pop();
  const reason = waitingReason(run, st, cancelled?.data?.reason || null);
  // Steps that succeeded at once start folded, so that the ones that failed, ran more than once or wait come first
  // to the eye.
  const folded = st.status === 'SUCCEEDED' && st.attempt <= 1;
  return h('details', { class: 'step-card', id: 'step-' + st.name, 'data-step': st.name, open: !folded },
    h('summary', {},
      h('h3', {}, st.name), badge(st.status),
      st.attempt > 0 ? h('span', { class: 'muted' }, attemptsLine(st, policy)) : null,
      st.dependsOn.length ? h('span', { class: 'muted deps' }, 'after ' + st.dependsOn.join(', ')) : null),
    reason ? h('p', { class: 'reason' }, reason) : null,
    attempts.length === 0 ? null : h('ol', { class: 'attempts' }, attempts.map((a) => attemptItem(run, st, a))));
}

function attemptItem(run, st, a) {
  const outcome = a.outcome || (st.attempt === a.attempt ? st.status : 'UNKNOWN');
  return h('li', { class: 'attempt', 'data-attempt': a.attempt },
    h('div', { class: 'attempt-head' },
      h('strong', {}, 'Attempt ' + a.attempt), badge(outcome),
      a.startedAt ? h('span', { class: 'muted' }, 'started ' + fmt.offset(a.startedAt, run.createdAt)) : null,
      a.ranMs !== null ? h('span', { class: 'muted' }, 'ran ' + fmt.duration(a.ranMs)) : null,
      a.retryAt ? h('span', { class: 'muted' }, 'retry at ' + fmt.offset(a.retryAt, run.createdAt)) : null),
    a.leaseExpired ? h('p', { class: 'reason' }, 'The lease held by ' + a.leaseExpired.owner + ' expired at ' + fmt.when(a.leaseExpired.leaseUntil) + '.') : null,
    a.error ? errorBlock(st, a) : null,
    a.toolCalls.length ? toolTable(a.toolCalls) : null);
}

function errorBlock(st, a) {
  return h('div', { class: 'error-block' },
    h('div', { class: 'error-line' }, h('span', { class: 'error-type mono' }, a.error.type),
      h('span', { class: 'error-message' }, a.error.message)),
    a.error.reason ? h('div', { class: 'muted' }, 'Not retried: ' + a.error.reason) : null,
    a.error.stackTrace ? h('details', { id: 'stack-' + st.name + '-' + a.attempt },
      h('summary', {}, 'Stack trace'), h('pre', { class: 'stack' }, a.error.stackTrace)) : null);
}

function toolTable(calls) {
  return h('table', { class: 'tools' },
    h('thead', {}, h('tr', {}, h('th', {}, 'Tool'), h('th', {}, 'Input'), h('th', {}, 'Output or error'), h('th', { class: 'num' }, 'Took'))),
    h('tbody', {}, calls.map((c) => h('tr', { class: c.error ? 'tool-failed' : '' },
      h('td', { class: 'mono' }, c.tool),
      h('td', {}, h('pre', { class: 'json small' }, fmt.json(c.input))),
      h('td', {}, c.error ? h('pre', { class: 'small error-text' }, c.error) : h('pre', { class: 'json small' }, fmt.json(c.output))),
      h('td', { class: 'num' }, fmt.duration(c.durationMs))))));
}
