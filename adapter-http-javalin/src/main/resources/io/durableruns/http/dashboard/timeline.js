// The run's timeline: every transition, with its time from the run's start.
import { h } from './dom.js';
import * as fmt from './format.js';
import { section } from './ui.js';

const TONES = {
  RUN_SUCCEEDED: 'succeeded', STEP_SUCCEEDED: 'succeeded',
  RUN_FAILED: 'failed', STEP_FAILED: 'failed', STEP_LEASE_EXPIRED: 'failed',
  RUN_CANCELLED: 'cancelled', STEP_CANCELLED: 'cancelled',
  STEP_RETRY_SCHEDULED: 'retrying', RUN_RETRIED: 'retrying',
  STEP_STARTED: 'running', RUN_STARTED: 'running',
};

/** The details of an event in one line, without its stack trace (the step's attempts show that). */
function details(event, run) {
  const data = event.data || {};
  const parts = [];
  if (data.errorType) parts.push(data.errorType + ': ' + (data.message || ''));
  for (const [key, value] of Object.entries(data)) {
    if (['errorType', 'message', 'stackTrace'].includes(key)) continue;
    if (key === 'willRetry') parts.push(value ? 'will retry' : 'will not retry');
    else if (key === 'at' && typeof value === 'string') parts.push('due ' + fmt.offset(value, run.createdAt));
    else if (key.endsWith('Ms') && typeof value === 'number') parts.push(key.slice(0, -2) + ' ' + fmt.duration(value));
    else parts.push(key + ' ' + (typeof value === 'string' ? value : JSON.stringify(value)));
  }
  return parts.join(' · ');
}

export function timelinePanel(run, events) {
  return section('Timeline', h('div', { class: 'table-wrap' }, h('table', { class: 'timeline', id: 'timeline' },
    h('thead', {}, h('tr', {}, h('th', { class: 'num' }, 'Time'), h('th', {}, 'Event'), h('th', {}, 'Step'),
      h('th', { class: 'num' }, 'Attempt'), h('th', {}, 'Details'))),
    h('tbody', {}, events.map((e) => h('tr', {},
      h('td', { class: 'num mono', title: fmt.dateTime(e.at) }, fmt.offset(e.at, run.createdAt)),
      h('td', {}, h('span', { class: 'event tone-' + (TONES[e.type] || 'plain') }, e.type)),
      h('td', { class: 'mono nowrap' }, e.step || ''),
      h('td', { class: 'num' }, e.attempt === null ? '' : e.attempt),
      h('td', { class: 'event-details' }, details(e, run))))))));
}
