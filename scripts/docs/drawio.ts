/**
 * A rendered Mermaid flowchart as a draw.io file: every node a box where Mermaid placed it,
 * every subgraph a frame behind its nodes, every edge a connector between its two boxes (draw.io
 * routes it), labels kept. The file is uncompressed mxGraph XML, which draw.io (desktop and
 * app.diagrams.net) opens and edits as a normal diagram.
 */

export interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface LaidOutNode extends Box {
  id: string;
  label: string;
  /** Mermaid's shape: `round`, `cylinder`, `stadium`, `subroutine`, `hexagon`, … (`square` for a plain box). */
  shape: string;
}

export interface LaidOutCluster extends Box {
  id: string;
  label: string;
}

export interface LaidOutEdge {
  from: string;
  to: string;
  label: string;
  /** Mermaid's stroke: `normal`, `dotted` or `thick`. */
  stroke: string;
}

/** Where Mermaid put everything of one flowchart (scripts/docs/diagrams.ts reads it from the SVG). */
export interface FlowchartLayout {
  width: number;
  height: number;
  nodes: LaidOutNode[];
  clusters: LaidOutCluster[];
  edges: LaidOutEdge[];
}

const SHAPES: Record<string, string> = {
  round: 'rounded=1;arcSize=20;',
  stadium: 'rounded=1;arcSize=50;',
  cylinder: 'shape=cylinder3;boundedLbl=1;backgroundOutline=1;size=12;',
  subroutine: 'shape=process;backgroundOutline=1;',
  hexagon: 'shape=hexagon;perimeter=hexagonPerimeter2;fixedSize=1;size=14;',
  diamond: 'rhombus;',
  circle: 'ellipse;',
  doublecircle: 'ellipse;shape=doubleEllipse;',
  lean_right: 'shape=parallelogram;perimeter=parallelogramPerimeter;fixedSize=1;size=14;',
  lean_left: 'shape=parallelogram;perimeter=parallelogramPerimeter;fixedSize=1;size=14;flipH=1;',
  trapezoid: 'shape=trapezoid;perimeter=trapezoidPerimeter;fixedSize=1;size=14;',
  inv_trapezoid: 'shape=trapezoid;perimeter=trapezoidPerimeter;fixedSize=1;size=14;flipV=1;',
  odd: 'shape=mxgraph.basic.flag;',
};

const EDGE_STROKES: Record<string, string> = {
  normal: '',
  dotted: 'dashed=1;',
  thick: 'strokeWidth=3;',
};

const escape = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** A label as a draw.io `value`: HTML (line breaks as `<br>`), then escaped for the XML attribute. */
function attribute(text: string): string {
  return escape(text.split('\n').map(escape).join('<br>'));
}

const geometry = (b: Box) =>
  `<mxGeometry x="${Math.round(b.x)}" y="${Math.round(b.y)}" width="${Math.round(b.width)}" height="${Math.round(b.height)}" as="geometry"/>`;

const cellId = (kind: string, id: string) => `${kind}-${id.replace(/[^A-Za-z0-9_-]/g, '_')}`;

/** The draw.io file of one laid-out flowchart, `name` its page's name. */
export function toDrawio(name: string, layout: FlowchartLayout): string {
  const ids = new Set(layout.nodes.map((n) => n.id));
  const missing = layout.edges.flatMap((e) => [e.from, e.to]).filter((id) => !ids.has(id));
  if (missing.length > 0) throw new Error(`${name}: edges name nodes that were not laid out: ${[...new Set(missing)].join(', ')}`);
  const cells: string[] = ['<mxCell id="0"/>', '<mxCell id="1" parent="0"/>'];
  // Bigger frames first, so a nested subgraph's frame lies on top of its parent's.
  const clusters = [...layout.clusters].sort((a, b) => b.width * b.height - a.width * a.height);
  for (const c of clusters) {
    cells.push(
      `<mxCell id="${cellId('cluster', c.id)}" value="${attribute(c.label)}" ` +
        'style="rounded=0;whiteSpace=wrap;html=1;fillColor=#f7f7f9;strokeColor=#9a9aa8;dashed=1;verticalAlign=top;align=center;fontStyle=1;" ' +
        `vertex="1" parent="1">${geometry(c)}</mxCell>`,
    );
  }
  for (const n of layout.nodes) {
    const shape = SHAPES[n.shape] ?? 'rounded=0;';
    cells.push(
      `<mxCell id="${cellId('node', n.id)}" value="${attribute(n.label)}" ` +
        `style="${shape}whiteSpace=wrap;html=1;fillColor=#eef2ff;strokeColor=#4f5b93;" vertex="1" parent="1">${geometry(n)}</mxCell>`,
    );
  }
  layout.edges.forEach((e, i) => {
    cells.push(
      `<mxCell id="edge-${i}" value="${attribute(e.label)}" ` +
        `style="edgeStyle=orthogonalEdgeStyle;rounded=1;html=1;endArrow=block;endFill=1;${EDGE_STROKES[e.stroke] ?? ''}" ` +
        `edge="1" parent="1" source="${cellId('node', e.from)}" target="${cellId('node', e.to)}">` +
        '<mxGeometry relative="1" as="geometry"/></mxCell>',
    );
  });
  const width = Math.ceil(layout.width);
  const height = Math.ceil(layout.height);
  return [
    '<mxfile host="wallet-cards-api" agent="npm run docs" version="24.0.0">',
    `  <diagram id="${cellId('diagram', name)}" name="${escape(name)}">`,
    `    <mxGraphModel dx="${width}" dy="${height}" grid="1" gridSize="10" guides="1" tooltips="1" connect="1" arrows="1" fold="1" page="1" pageScale="1" pageWidth="${width}" pageHeight="${height}" math="0" shadow="0">`,
    '      <root>',
    ...cells.map((c) => `        ${c}`),
    '      </root>',
    '    </mxGraphModel>',
    '  </diagram>',
    '</mxfile>',
    '',
  ].join('\n');
}
