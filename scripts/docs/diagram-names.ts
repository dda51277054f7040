/** The diagrams exported to draw.io as well as SVG and PNG: the three architecture diagrams the design asks for. */
export const DRAWIO_DIAGRAMS = ['client-server', 'redis-caching', 'system'];
