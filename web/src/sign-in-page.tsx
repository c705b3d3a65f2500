import { useState } from 'preact/hooks';
import { AuthenticationError } from '../../src/client/index.ts';
import { createClient } from './session.ts';

/**
 * Sign-in with an API key. The key is checked against this server (listing one job) before it is
 * kept, so a typo is caught here rather than on the first generation.
 */
export function SignInPage(props: { onSignedIn: (apiKey: string) => void }) {
  const [apiKey, setApiKey] = useState('');
  const [error, setError] = useState<string | undefined>(undefined);
  const [checking, setChecking] = useState(false);

  const submit = async (event: Event) => {
    event.preventDefault();
    const key = apiKey.trim();
    if (key === '') {
      setError('Enter an API key.');
      return;
    }
    setChecking(true);
    setError(undefined);
    try {
      await createClient(key).jobs.list({ limit: 1 });
      props.onSignedIn(key);
    } catch (failure) {
      setError(
        failure instanceof AuthenticationError
          ? 'This server does not accept that key.'
          : `The key could not be checked: ${failure instanceof Error ? failure.message : String(failure)}`,
      );
    } finally {
      setChecking(false);
    }
  };

  return (
    <section class="page sign-in" aria-labelledby="sign-in-title">
      <h1 id="sign-in-title">Sign in</h1>
      <form onSubmit={submit} noValidate>
        <div class="field">
          <label for="api-key">API key</label>
          <input
            id="api-key"
            type="password"
            autoComplete="off"
            spellcheck={false}
            value={apiKey}
            aria-describedby="api-key-help"
            aria-invalid={error === undefined ? undefined : true}
            onInput={(event) => setApiKey(event.currentTarget.value)}
          />
          <p class="help" id="api-key-help">
            The key the server printed at its first start, or one from <code>reelgate keys create</code>. It
            is kept in this browser only.
          </p>
        </div>
        {error === undefined ? null : (
          <p class="form-error" role="alert">
            {error}
          </p>
        )}
        <button type="submit" disabled={checking}>
          {checking ? 'Checking…' : 'Sign in'}
        </button>
      </form>
    </section>
  );
}
