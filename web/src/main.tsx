import { render } from 'preact';
import { App } from './app.tsx';
import './styles.css';
import './jobs.css';

render(<App />, document.getElementById('app') as HTMLElement);
