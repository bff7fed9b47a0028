import { render } from 'solid-js/web';
import '../styles.css';
import './widget.css';
import { Widget } from './Widget.tsx';

// The widget registers no service worker: the app's worker (same origin) answers offline page loads
// with the app shell, and a framed widget lives inside a host page that has its own caching.
const root = document.getElementById('widget-root');
if (!root) throw new Error('widget.html must contain <div id="widget-root">');
render(() => <Widget />, root);
