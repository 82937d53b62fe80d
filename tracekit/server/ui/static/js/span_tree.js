// The spans of a trace as a tree in display order (depth first, children by start time), with each span's offset
// and duration relative to the trace's window. Built without recursion, so a trace of any depth works.

const SPAN_TYPE_KEY = "tracekit.spanType";

/** A nanosecond time as BigInt (numbers rounded), null stays null. */
export function toBigInt(value) {
  if (value === null || value === undefined) return null;
  return typeof value === "bigint" ? value : BigInt(Math.round(Number(value)));
}

/** The span's type (tracekit.spanType attribute, JSON text), "UNKNOWN" when missing. */
export function spanType(span) {
  const raw = span.attributes && span.attributes[SPAN_TYPE_KEY];
  if (raw === undefined || raw === null) return "UNKNOWN";
  try {
    return String(JSON.parse(raw));
  } catch {
    return String(raw);
  }
}

/**
 * Nodes of `spans` in display order: {span, depth, parent, children, size (the node and its descendants),
 * offsetNs, durationNs (null: unfinished), type}; plus the window {startNs (BigInt), totalNs (Number)}.
 * A span whose parent is not in the trace (a part of a trace made elsewhere) is shown as a root.
 */
export function buildSpanTree(spans) {
  const nodes = new Map();
  let windowStart = null;
  let windowEnd = null;
  for (const span of spans) {
    const start = toBigInt(span.start_time_ns);
    const end = toBigInt(span.end_time_ns);
    nodes.set(span.span_id, {span, start, end, children: [], parent: null, depth: 0, size: 1, type: spanType(span)});
    if (windowStart === null || start < windowStart) windowStart = start;
    const last = end === null ? start : end;
    if (windowEnd === null || last > windowEnd) windowEnd = last;
  }
  const roots = [];
  for (const node of nodes.values()) {
    const parent = node.span.parent_id ? nodes.get(node.span.parent_id) : undefined;
    if (parent && parent !== node) {
      node.parent = parent;
      parent.children.push(node);
    } else {
      roots.push(node);
    }
  }
  const byStart = (a, b) => (a.start < b.start ? -1 : a.start > b.start ? 1 : a.span.name.localeCompare(b.span.name));
  roots.sort(byStart);
  for (const node of nodes.values()) node.children.sort(byStart);

  const order = [];
  const visited = new Set();
  const walk = (root) => {
    const stack = [[root, 0]];
    while (stack.length) {
      const [node, depth] = stack.pop();
      if (visited.has(node)) continue;
      visited.add(node);
      node.depth = depth;
      order.push(node);
      for (let i = node.children.length - 1; i >= 0; i--) stack.push([node.children[i], depth + 1]);
    }
  };
  roots.forEach(walk);
  // Spans in a parent cycle (malformed input) are reachable from no root: show them rather than lose them.
  for (const node of nodes.values()) if (!visited.has(node)) walk(node);

  const index = new Map(order.map((node, position) => [node, position]));
  for (let i = order.length - 1; i >= 0; i--) {
    const node = order[i];
    node.children = node.children.filter((child) => index.get(child) > i);
    node.size = 1 + node.children.reduce((sum, child) => sum + child.size, 0);
  }
  const startNs = windowStart ?? 0n;
  const totalNs = windowStart === null ? 0 : Number(windowEnd - windowStart);
  for (const node of order) {
    node.offsetNs = Number(node.start - startNs);
    node.durationNs = node.end === null ? null : Number(node.end - node.start);
  }
  return {order, startNs, totalNs};
}
