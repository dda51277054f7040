import { ApolloProvider } from '@apollo/client/react';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { createApi } from './api';
import { App } from './App';
import { AppProviders } from './app-context';
import './styles.css';

const api = createApi();

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <ApolloProvider client={api.apollo}>
      <AppProviders api={api}>
        <App />
      </AppProviders>
    </ApolloProvider>
  </StrictMode>,
);

// The app shell works offline once loaded (public/sw.js); money is never cached there.
if ('serviceWorker' in navigator && import.meta.env.PROD) {
  window.addEventListener('load', () => void navigator.serviceWorker.register('/sw.js').catch(() => undefined));
}
