import { QueryClientProvider } from '@tanstack/react-query';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { configureHttp } from './api/http.ts';
import { createQueryClient } from './api/query-client.ts';
import { loadSession, SESSION_ENDED_EVENT } from './auth/session.ts';
import { App } from './components/App.tsx';
import { applyTheme } from './theme/theme.ts';
import './styles.css';

configureHttp(
  () => loadSession()?.token ?? null,
  () => window.dispatchEvent(new Event(SESSION_ENDED_EVENT)),
);

applyTheme();

const root = document.getElementById('root');
if (!root) throw new Error('index.html has no #root element');
createRoot(root).render(
  <StrictMode>
    <QueryClientProvider client={createQueryClient()}>
      <App />
    </QueryClientProvider>
  </StrictMode>,
);
