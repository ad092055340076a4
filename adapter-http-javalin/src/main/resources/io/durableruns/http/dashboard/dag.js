// Draws a step graph as an SVG DAG, laid out from the dependencies: a step stands one column right of its
// deepest dependency, and the steps of a column are ordered to keep edges short (two barycentre sweeps).
import { s } from './dom.js';
import { describe, icon } from './status.js';

const NODE_W = 184;
const NODE_H = 54;
const COL_GAP = 64;
const ROW_GAP = 20;
const PAD = 12;
const MAX_NAME = 22;

/** Column of every step: 0 for roots, else one more than the deepest dependency. */
function columns(steps) {
  const byName = new Map(steps.map((st) => [st.name, st]));
  const column = new Map();
  const visit = (name, seen) => {
    if (column.has(name)) return column.get(name);
    if (seen.has(name)) return 0;
    seen.add(name);
    const deps = (byName.get(name)?.dependsOn || []).filter((d) => byName.has(d));
    const c = deps.length === 0 ? 0 : 1 + Math.max(...deps.map((d) => visit(d, seen)));
    column.set(name, c);
    return c;
  };
  steps.forEach((st) => visit(st.name, new Set()));
  return column;
}

/** Positions {name: {x, y}} and the drawing's size. */
export function layout(steps) {
  const column = columns(steps);
  const cols = [];
  steps.forEach((st) => {
    const c = column.get(st.name);
    (cols[c] = cols[c] || []).push(st);
  });
  const rowOf = new Map();
  cols.forEach((col) => col.forEach((st, i) => rowOf.set(st.name, i)));
  for (let sweep = 0; sweep < 2; sweep++) {
    cols.forEach((col, c) => {
      if (c === 0) return;
      const centre = (st) => {
        const deps = (st.dependsOn || []).filter((d) => rowOf.has(d));
        return deps.length ? deps.reduce((sum, d) => sum + rowOf.get(d), 0) / deps.length : rowOf.get(st.name);
      };
      col.sort((a, b) => centre(a) - centre(b));
      col.forEach((st, i) => rowOf.set(st.name, i));
    });
  }
  const tallest = Math.max(1, ...cols.map((col) => col.length));
  const height = PAD * 2 + tallest * NODE_H + (tallest - 1) * ROW_GAP;
  const positions = new Map();
  cols.forEach((col, c) => {
    const colHeight = col.length * NODE_H + (col.length - 1) * ROW_GAP;
    const top = (height - colHeight) / 2;
    col.forEach((st, i) => positions.set(st.name, { x: PAD + c * (NODE_W + COL_GAP), y: top + i * (NODE_H + ROW_GAP) }));
  });
  const width = PAD * 2 + cols.length * NODE_W + Math.max(0, cols.length - 1) * COL_GAP;
  return { positions, width, height };
}

function clip(text) {
  return text.length > MAX_NAME ? text.slice(0, MAX_NAME - 1) + '…' : text;
}

/**
 * An SVG of the steps. Each step may carry status and a detail line (detail(step) → string); onSelect(step) is
 * called when a node is clicked or activated from the keyboard.
 */
export function renderDag(steps, { detail = () => '', onSelect = null, label = 'Step graph' } = {}) {
  const { positions, width, height } = layout(steps);
  const edges = [];
  for (const st of steps) {
    const to = positions.get(st.name);
    for (const dep of st.dependsOn || []) {
      const from = positions.get(dep);
      if (!from) continue;
      const x1 = from.x + NODE_W;
      const y1 = from.y + NODE_H / 2;
      const x2 = to.x - 4;
      const y2 = to.y + NODE_H / 2;
      const bend = (x2 - x1) / 2;
      edges.push(s('path', {
        class: 'dag-edge', d: `M${x1} ${y1} C${x1 + bend} ${y1} ${x2 - bend} ${y2} ${x2} ${y2}`,
        'marker-end': 'url(#dag-arrow)',
      }));
    }
  }
  const nodes = steps.map((st) => {
    const { x, y } = positions.get(st.name);
    const tone = st.status ? describe(st.status).tone : 'plain';
    const select = onSelect ? () => onSelect(st) : null;
    const node = s('g', {
      class: 'dag-node tone-' + tone, transform: `translate(${x} ${y})`, 'data-step': st.name,
      tabindex: onSelect ? 0 : null, role: onSelect ? 'button' : null,
      'aria-label': st.name + (st.status ? ', ' + describe(st.status).label : ''),
      onclick: select,
      onkeydown: select ? (e) => { if (e.key === 'Enter' || e.key === ' ') { e.preventDefault(); select(); } } : null,
    },
    s('title', {}, st.name + (st.status ? ' — ' + describe(st.status).label : '')),
    s('rect', { class: 'dag-box', width: NODE_W, height: NODE_H, rx: 8 }),
    s('rect', { class: 'dag-stripe', width: 5, height: NODE_H, rx: 2 }),
    st.status ? s('g', { transform: 'translate(14 9)' }, icon(st.status)) : null,
    s('text', { class: 'dag-name', x: st.status ? 36 : 16, y: 22 }, clip(st.name)),
    s('text', { class: 'dag-detail', x: 16, y: 42 }, detail(st)));
    return node;
  });
  return s('svg', {
    class: 'dag', width, height, viewBox: `0 0 ${width} ${height}`, role: 'img', 'aria-label': label,
  },
  s('defs', {}, s('marker', {
    id: 'dag-arrow', viewBox: '0 0 10 10', refX: 9, refY: 5, markerWidth: 7, markerHeight: 7, orient: 'auto-start-reverse',
  }, s('path', { d: 'M0 0L10 5L0 10z', class: 'dag-arrow' }))),
  edges, nodes);
}
