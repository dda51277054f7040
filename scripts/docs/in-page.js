/* global document, CSS, XMLSerializer */
/**
 * Runs inside Chromium's page, not in Node (scripts/docs/diagrams.ts and report.ts add it with
 * addScriptTag): renders a Mermaid source and measures where everything landed, and measures a
 * laid-out report page. Plain JavaScript, since the project's TypeScript has no DOM types.
 */

/** The box of an element in the SVG's own units (the SVG is shown at its natural size). */
function boxIn(root, el) {
  const viewBox = root.viewBox.baseVal;
  const origin = root.getBoundingClientRect();
  const r = el.getBoundingClientRect();
  return { x: r.left - origin.left + viewBox.x, y: r.top - origin.top + viewBox.y, width: r.width, height: r.height };
}

const overlaps = (a, b) => a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;

/** A node's text, line by line (Mermaid writes one tspan per line, words as inner tspans). */
function lines(el) {
  const rows = [...el.querySelectorAll('text > tspan')].map((t) => t.textContent.trim()).filter(Boolean);
  return rows.length > 0 ? rows.join('\n') : (el.textContent ?? '').trim();
}

function flowchartLayout(root, db, defects) {
  const vertices = [...db.getVertices().values()];
  const nodes = vertices.map((v) => {
    const el =
      root.querySelector(`g.node[id="${CSS.escape(v.domId)}"]`) ??
      root.querySelector(`g.node[id$="-${CSS.escape(v.domId)}"]`) ??
      root.querySelector(`g.node[data-id="${CSS.escape(v.id)}"]`);
    if (!el) throw new Error(`node ${v.id} was not drawn`);
    const shape = el.querySelector('rect, path, polygon, circle, ellipse') ?? el;
    const label = el.querySelector('text') ?? el;
    const box = boxIn(root, shape);
    const text = boxIn(root, label);
    if (text.width > box.width + 1 || text.height > box.height + 1) {
      defects.push(
        `the label of ${v.id} (${Math.round(text.width)}×${Math.round(text.height)}) is larger than its box (${Math.round(box.width)}×${Math.round(box.height)})`,
      );
    }
    return { id: v.id, label: lines(el), shape: v.type ?? 'square', ...box };
  });
  for (let i = 0; i < nodes.length; i++) {
    for (let j = i + 1; j < nodes.length; j++) {
      if (overlaps(nodes[i], nodes[j])) defects.push(`boxes ${nodes[i].id} and ${nodes[j].id} overlap`);
    }
  }
  const clusters = db.getSubGraphs().map((s) => {
    const el = root.querySelector(`g.cluster[id="${CSS.escape(s.id)}"]`) ?? root.querySelector(`g.cluster[id$="-${CSS.escape(s.id)}"]`);
    if (!el) throw new Error(`subgraph ${s.id} was not drawn`);
    const box = boxIn(root, el.querySelector('rect') ?? el);
    const title = el.querySelector('text');
    if (title) {
      const t = boxIn(root, title);
      if (t.width > box.width + 1) defects.push(`the title of subgraph ${s.id} is wider than its frame`);
      for (const n of nodes) if (overlaps(t, n)) defects.push(`the title of subgraph ${s.id} lies under box ${n.id}`);
    }
    return { id: s.id, label: s.title, ...box };
  });
  const edges = db.getEdges().map((e) => ({ from: e.start, to: e.end, label: e.text ?? '', stroke: e.stroke ?? 'normal' }));
  return { width: root.viewBox.baseVal.width, height: root.viewBox.baseVal.height, nodes, clusters, edges };
}

/** Renders `text` into #out; returns the SVG, the flowchart's layout (or null) and the defects a reader would see. */
globalThis.renderDiagram = async function renderDiagram(id, text) {
  const mermaid = globalThis.mermaid;
  const out = document.getElementById('out');
  const { svg } = await mermaid.render(id, text);
  out.innerHTML = svg;
  const root = out.querySelector('svg');
  const viewBox = root.viewBox.baseVal;
  root.setAttribute('width', String(viewBox.width));
  root.setAttribute('height', String(viewBox.height));
  root.style.maxWidth = 'none';
  const defects = [];
  const diagram = await mermaid.mermaidAPI.getDiagramFromText(text);
  const layout = diagram.type.startsWith('flowchart') ? flowchartLayout(root, diagram.db, defects) : null;
  // A sequence diagram's participants: the name inside its box.
  for (const text of root.querySelectorAll('text.actor')) {
    const rect = text.parentElement?.querySelector('rect.actor');
    if (!rect) continue;
    const t = boxIn(root, text);
    const r = boxIn(root, rect);
    if (t.x < r.x - 1 || t.x + t.width > r.x + r.width + 1) defects.push(`the participant "${text.textContent}" is wider than its box`);
  }
  const frame = boxIn(root, root);
  for (const t of root.querySelectorAll('text')) {
    const b = boxIn(root, t);
    if (b.width === 0) continue;
    if (
      b.x < frame.x - 1 ||
      b.y < frame.y - 1 ||
      b.x + b.width > frame.x + frame.width + 1 ||
      b.y + b.height > frame.y + frame.height + 1
    ) {
      defects.push(`text "${t.textContent}" lies outside the picture`);
    }
  }
  return { svg: new XMLSerializer().serializeToString(root), layout, defects };
};

/** What in a laid-out report is wider than the text column, and which images did not load. */
globalThis.layoutDefects = function layoutDefects() {
  const defects = [];
  const column = document.body.getBoundingClientRect().right;
  for (const el of document.querySelectorAll('table, pre, figure img, p, li, h2, h3, h4, h5')) {
    const r = el.getBoundingClientRect();
    const what = `${el.tagName.toLowerCase()} "${(el.textContent || el.getAttribute('alt') || '').trim().slice(0, 60)}"`;
    if (r.right > column + 1 || el.scrollWidth > el.clientWidth + 1) defects.push(`${what} is wider than the text column`);
  }
  for (const img of document.querySelectorAll('img')) {
    if (!img.complete || img.naturalWidth === 0) {
      defects.push(`image ${img.getAttribute('src')} did not load`);
      continue;
    }
    // The diagrams' text is DIAGRAM_FONT_PX at natural size; shrunk to fit its page (A4, portrait,
    // or landscape for a wide figure: the CSS's limits in CSS pixels), it must stay readable.
    const [maxWidth, maxHeight] = img.closest('figure.landscape') ? [1001, 605] : [658, 877];
    const scale = Math.min(1, maxWidth / img.naturalWidth, maxHeight / img.naturalHeight);
    const printed = globalThis.DIAGRAM_FONT_PX * scale;
    if (printed < globalThis.MIN_PRINTED_FONT_PX) {
      defects.push(
        `image ${img.getAttribute('src')} prints its text at ${printed.toFixed(1)} px (under ${globalThis.MIN_PRINTED_FONT_PX})`,
      );
    }
  }
  return defects;
};
