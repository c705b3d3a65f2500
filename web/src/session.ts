import { ReelgateClient } from '../../src/client/index.ts';

/**
 * The signed-in API key. It stays in this browser (localStorage) and is sent only to the server
 * that served the page; nothing else stores or sees it.
 */
const storageKey = 'reelgate.apiKey';

export function loadApiKey(): string | undefined {
  try {
    return window.localStorage.getItem(storageKey) ?? undefined;
  } catch {
    // Storage can be disabled (private modes, policies): then the key lives for this page only.
    return undefined;
  }
}

export function saveApiKey(apiKey: string): void {
  try {
    window.localStorage.setItem(storageKey, apiKey);
  } catch {
    // See loadApiKey: signing in still works until the page is closed.
  }
}

export function clearApiKey(): void {
  try {
    window.localStorage.removeItem(storageKey);
  } catch {
    // Nothing was stored.
  }
}

/** A client for the server that served this page. */
export function createClient(apiKey: string): ReelgateClient {
  return new ReelgateClient({ baseUrl: window.location.origin, apiKey, maxRetries: 2 });
}
