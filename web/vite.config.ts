import { defineConfig } from 'vite';
import { fileURLToPath } from 'node:url';

/**
 * The web app (issue 17): `npm run build:web` writes it to dist/web, which the API serves at /
 * (WEB_APP_DIR); `npm run dev:web` serves it with hot reload on :5173 and passes /graphql (HTTP
 * and WebSocket) and the sandbox pages to the API on :4000 (API_URL to change it).
 * React's JSX is compiled by Vite itself (tsconfig's "jsx": "react-jsx"); no plugin.
 */
const api = process.env.API_URL ?? 'http://localhost:4000';

export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  publicDir: 'public',
  build: {
    outDir: process.env.WEB_OUT_DIR ?? fileURLToPath(new URL('../dist/web', import.meta.url)),
    emptyOutDir: true,
    sourcemap: true,
    target: 'es2022',
  },
  server: {
    port: 5173,
    proxy: {
      '/graphql': { target: api, ws: true, changeOrigin: true },
      '/sandbox': { target: api, changeOrigin: true },
    },
  },
});
