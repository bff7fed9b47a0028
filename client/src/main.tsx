import { render } from 'solid-js/web';
import { App } from './App.tsx';
import { registerServiceWorker } from './service-worker.ts';
import './styles.css';

// Start-up marks (performance.mark) say where a cold open spends its time; the client bench reads them.
performance.mark('lounge:app-start');
const root = document.getElementById('root');
if (!root) throw new Error('index.html must contain <div id="root">');
render(() => <App />, root);
registerServiceWorker();
