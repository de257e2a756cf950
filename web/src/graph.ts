// A workflow drawn as SVG from the nodes/edges of getprocessgraphmsg (OBJECTS.md §10): boxes
// at the server's positions, coloured by state, each a link to its process.
import { h, s } from './dom.js';

export interface GraphNode {
  id: string;
  data: { label: string };
  position: { x: number; y: number };
  style: { background: string };
}
export interface GraphEdge {
  id: string;
  source: string;
  target: string;
  animated: boolean;
}

const BOX_W = 150;
const BOX_H = 40;
const MARGIN = 20;

/** The server colours nodes by state; the colour is all a node says about its state. */
const STATE_OF_COLOUR: Record<string, string> = {
  '#eee8d8': 'waiting',
  '#4689cd': 'running',
  '#92d050': 'successful',
  '#cb4239': 'failed',
  '#f5a623': 'cancelled',
};

export function nodeState(node: GraphNode): string {
  return STATE_OF_COLOUR[node.style?.background?.toLowerCase()] ?? 'unknown';
}

function clip(label: string): string {
  return label.length > 18 ? `${label.slice(0, 17)}…` : label;
}

export function graphSvg(nodes: GraphNode[], edges: GraphEdge[]): Element {
  if (nodes.length === 0) return h('p', { class: 'muted' }, 'This workflow has no nodes to draw.');
  const xs = nodes.map((n) => n.position.x);
  const ys = nodes.map((n) => n.position.y);
  const minX = Math.min(...xs) - MARGIN;
  const minY = Math.min(...ys) - MARGIN;
  const width = Math.max(...xs) + BOX_W + MARGIN - minX;
  const height = Math.max(...ys) + BOX_H + MARGIN - minY;
  const at = new Map(nodes.map((n) => [n.id, n.position]));

  const lines = edges.flatMap((e) => {
    const from = at.get(e.source);
    const to = at.get(e.target);
    if (!from || !to) return [];
    return [
      s('line', {
        class: e.animated ? 'edge animated' : 'edge',
        x1: from.x + BOX_W / 2,
        y1: from.y + BOX_H,
        x2: to.x + BOX_W / 2,
        y2: to.y,
        'marker-end': 'url(#arrow)',
      }),
    ];
  });
  const boxes = nodes.map((n) => {
    const state = nodeState(n);
    const label = n.data?.label || n.id.slice(0, 8);
    return s(
      'a',
      { href: `#/process/${n.id}`, class: `node state-${state}`, 'aria-label': `${label}: ${state}` },
      s('title', {}, `${label} (${state})`),
      s('rect', { x: n.position.x, y: n.position.y, width: BOX_W, height: BOX_H, rx: 6, fill: n.style?.background || '#eee8d8' }),
      s('text', { x: n.position.x + BOX_W / 2, y: n.position.y + BOX_H / 2, 'text-anchor': 'middle', 'dominant-baseline': 'central' }, clip(label)),
    );
  });
  return s(
    'svg',
    { class: 'graph', viewBox: `${minX} ${minY} ${width} ${height}`, width, height, role: 'group', 'aria-label': 'workflow graph' },
    s(
      'defs',
      {},
      s('marker', { id: 'arrow', viewBox: '0 0 10 10', refX: 10, refY: 5, markerWidth: 8, markerHeight: 8, orient: 'auto-start-reverse' }, s('path', { d: 'M 0 0 L 10 5 L 0 10 z' })),
    ),
    lines,
    boxes,
  );
}
