import { randomBytes } from 'node:crypto';
import { link, mkdir, open, readFile, unlink } from 'node:fs/promises';
import path from 'node:path';

/** The file in the data folder that keeps the generated secret across restarts. */
export const signingSecretFileName = 'url-signing.secret';

/** The generated secret is 32 random bytes, 43 base64url characters; a shorter file is damaged. */
const minimumStoredLength = 16;

/**
 * The HMAC secret for signed file URLs. A configured secret wins; otherwise the one kept in
 * `<dataDir>/url-signing.secret` is used, and on first start one is generated and saved there
 * (mode 0600) so that URLs already handed out keep working after a restart.
 *
 * Creation is atomic and first-writer-wins: the secret is written and flushed to a private
 * temporary file, then hard-linked to its final name, which fails if the name already exists.
 * So a reader never sees a half-written file, and two processes starting together on one data
 * folder both end up with the same secret.
 *
 * @throws Error when the stored file exists but is too short to be a secret this server wrote.
 */
export async function loadOrCreateSigningSecret(dataDir: string, configured?: string): Promise<string> {
  if (configured !== undefined) return configured;
  const secretPath = path.join(dataDir, signingSecretFileName);
  const existing = await readSecret(secretPath);
  if (existing !== undefined) return existing;

  await mkdir(dataDir, { recursive: true });
  const secret = randomBytes(32).toString('base64url');
  const temporaryPath = path.join(dataDir, `.${signingSecretFileName}.${randomBytes(6).toString('hex')}.tmp`);
  const handle = await open(temporaryPath, 'wx', 0o600);
  try {
    await handle.writeFile(`${secret}\n`, 'utf8');
    await handle.sync();
  } finally {
    await handle.close();
  }
  try {
    await link(temporaryPath, secretPath);
    return secret;
  } catch (error) {
    if (!isErrorCode(error, 'EEXIST')) throw error;
    // Another process created it first; its secret is the one every node must share.
    const winner = await readSecret(secretPath);
    if (winner === undefined) throw new Error(`${secretPath} vanished while it was being created`);
    return winner;
  } finally {
    await unlink(temporaryPath).catch(() => undefined);
  }
}

async function readSecret(secretPath: string): Promise<string | undefined> {
  let text: string;
  try {
    text = await readFile(secretPath, 'utf8');
  } catch (error) {
    if (isErrorCode(error, 'ENOENT')) return undefined;
    throw error;
  }
  const secret = text.trim();
  if (secret.length < minimumStoredLength) {
    // Replacing it silently would invalidate every URL already handed out; an operator decides.
    throw new Error(
      `${secretPath} does not hold a URL signing secret (${secret.length} characters); ` +
        'delete it to generate a new one, or set REELGATE_URL_SIGNING_SECRET',
    );
  }
  return secret;
}

function isErrorCode(error: unknown, code: string): boolean {
  return error instanceof Error && (error as NodeJS.ErrnoException).code === code;
}
