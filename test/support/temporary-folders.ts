import { rmSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

/** Folders made by this test file (servers' data, work folders, renders: gigabytes over a run). */
const folders = new Set<string>();

/** A fresh folder in the temp directory, removed after the test file (see cleanup-data-dirs.ts). */
export async function temporaryFolder(prefix: string): Promise<string> {
  const folder = await mkdtemp(path.join(tmpdir(), prefix));
  folders.add(folder);
  return folder;
}

/** Removes every folder `temporaryFolder` made; vitest runs it after each test file. */
export function removeTemporaryFolders(): void {
  for (const folder of folders) rmSync(folder, { recursive: true, force: true });
  folders.clear();
}
