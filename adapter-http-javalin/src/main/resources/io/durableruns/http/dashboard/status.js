// Statuses of runs and steps: a colour, an icon and a word each. A status this dashboard does not know (added
// by a newer server) is shown in a neutral style with its own name.
import { h, s } from './dom.js';

const KNOWN = {
  PENDING: { tone: 'waiting', icon: 'pending', label: 'Pending' },
  QUEUED: { tone: 'waiting', icon: 'clock', label: 'Queued' },
  RUNNING: { tone: 'running', icon: 'spinner', label: 'Running' },
  RETRYING: { tone: 'retrying', icon: 'retry', label: 'Retrying' },
  SUCCEEDED: { tone: 'succeeded', icon: 'check', label: 'Succeeded' },
  FAILED: { tone: 'failed', icon: 'cross', label: 'Failed' },
  CANCELLED: { tone: 'cancelled', icon: 'ban', label: 'Cancelled' },
};

const ICONS = {
  pending: [['circle', { cx: 8, cy: 8, r: 5.5, fill: 'none', 'stroke-dasharray': '2.5 2' }]],
  clock: [['circle', { cx: 8, cy: 8, r: 6, fill: 'none' }], ['path', { d: 'M8 4.5V8l2.5 1.8', fill: 'none' }]],
  spinner: [['path', { d: 'M8 2a6 6 0 1 1-6 6', fill: 'none', class: 'spin' }]],
  retry: [['path', { d: 'M13 8a5 5 0 1 1-1.5-3.6M13 2.5v3h-3', fill: 'none' }]],
  check: [['path', { d: 'M3 8.5l3.2 3L13 4.5', fill: 'none' }]],
  cross: [['path', { d: 'M4 4l8 8M12 4l-8 8', fill: 'none' }]],
  ban: [['circle', { cx: 8, cy: 8, r: 6, fill: 'none' }], ['path', { d: 'M3.8 12.2l8.4-8.4', fill: 'none' }]],
  unknown: [['circle', { cx: 8, cy: 8, r: 3, stroke: 'none', fill: 'currentColor' }]],
};

/** {tone, icon, label} of a status; unknown statuses get the neutral tone and their own name. */
export function describe(status) {
  const name = String(status ?? 'UNKNOWN');
  return KNOWN[name] || { tone: 'unknown', icon: 'unknown', label: name };
}

export function isTerminalRun(status) {
  return status === 'SUCCEEDED' || status === 'FAILED' || status === 'CANCELLED';
}

/** A 16-pixel icon of a status, drawn with currentColor. */
export function icon(status, extraClass) {
  const { icon: name } = describe(status);
  const shapes = (ICONS[name] || ICONS.unknown).map(([tag, attrs]) => s(tag, attrs));
  return s('svg', {
    class: 'icon' + (extraClass ? ' ' + extraClass : ''), viewBox: '0 0 16 16', width: 16, height: 16,
    'aria-hidden': 'true', stroke: 'currentColor', 'stroke-width': 1.8, 'stroke-linecap': 'round',
    'stroke-linejoin': 'round',
  }, shapes);
}

/** A coloured badge with icon and word, e.g. for a table cell. */
export function badge(status) {
  const d = describe(status);
  return h('span', { class: 'badge tone-' + d.tone, 'data-status': String(status) }, icon(status), h('span', {}, d.label));
}
