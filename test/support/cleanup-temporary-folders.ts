import { afterAll } from 'vitest';
import { removeTemporaryFolders } from './temporary-folders.ts';

// A setup file (vitest.config.ts): its afterAll runs after the test file's own, once its servers
// have stopped, so no test leaves its folders in the temp directory.
afterAll(() => removeTemporaryFolders());
