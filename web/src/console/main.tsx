/** Entry point of the operators' console (served by the control plane at `/`). */
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { BrowserRouter } from 'react-router';
import { OperatorSession, createControlApi } from '../api/control';
import { ConsoleProvider } from './context';
import { ConsoleApp } from './ConsoleApp';
import '../shared/styles.css';

const session = new OperatorSession();
const api = createControlApi(session);
const root = document.getElementById('root');
if (root) {
  createRoot(root).render(
    <StrictMode>
      <ConsoleProvider deps={{ api, session }}>
        <BrowserRouter>
          <ConsoleApp />
        </BrowserRouter>
      </ConsoleProvider>
    </StrictMode>,
  );
}
