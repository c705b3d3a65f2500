import { readdir, readFile } from 'node:fs/promises';

/** Live processes whose command line contains `marker` (Linux /proc): proves a child was killed. */
export async function processesMentioning(marker: string): Promise<number[]> {
  const found: number[] = [];
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const commandLine = await readFile(`/proc/${entry}/cmdline`, 'utf8').catch(() => '');
    if (commandLine.includes(marker)) found.push(Number(entry));
  }
  return found;
}
