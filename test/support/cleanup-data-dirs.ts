import { afterAll } from 'vitest';
import { removeTemporaryDataDirs } from './server-process.ts';

// A setup file (vitest.config.ts): its afterAll runs after the test file's own, once its servers
// have stopped, so no test leaves its data folder in the temp directory.
afterAll(() => removeTemporaryDataDirs());
