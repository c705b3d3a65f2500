import { useEffect, useMemo, useState } from 'preact/hooks';
import { JobDetailPage } from './job-detail-page.tsx';
import { LibraryPage } from './library-page.tsx';
import { PlaygroundPage } from './playground-page.tsx';
import { Link, navigate, useLocation } from './router.tsx';
import { clearApiKey, createClient, loadApiKey, saveApiKey } from './session.ts';
import { SignInPage } from './sign-in-page.tsx';

/** The shell: header and navigation, the sign-in gate, and the page for the current path. */
export function App() {
  const [apiKey, setApiKey] = useState<string | undefined>(loadApiKey);
  const location = useLocation();
  const client = useMemo(() => (apiKey === undefined ? undefined : createClient(apiKey)), [apiKey]);

  // Every page but sign-in needs a key; after signing in, go where the user was going.
  useEffect(() => {
    if (apiKey === undefined && location.path !== '/sign-in') {
      const next = `${location.path}${window.location.search}`;
      navigate(`/sign-in${next === '/' ? '' : `?next=${encodeURIComponent(next)}`}`, { replace: true });
    }
  }, [apiKey, location.path]);

  const signIn = (key: string) => {
    saveApiKey(key);
    setApiKey(key);
    const next = location.search.get('next');
    navigate(next !== null && next.startsWith('/') && !next.startsWith('//') ? next : '/', { replace: true });
  };
  const signOut = () => {
    clearApiKey();
    setApiKey(undefined);
    navigate('/sign-in');
  };

  const detail = /^\/library\/([^/]+)$/.exec(location.path);
  let page;
  if (location.path === '/sign-in' || client === undefined) page = <SignInPage onSignedIn={signIn} />;
  else if (location.path === '/' || location.path === '/playground') {
    page = <PlaygroundPage client={client} initialModel={location.search.get('model') ?? undefined} />;
  } else if (location.path === '/library') page = <LibraryPage client={client} search={location.search} />;
  else if (detail?.[1] !== undefined)
    page = <JobDetailPage client={client} id={decodeURIComponent(detail[1])} />;
  else {
    page = (
      <section class="page">
        <h1>Not found</h1>
        <p>
          There is no page at <code>{location.path}</code>. <Link href="/">Go to the playground</Link>.
        </p>
      </section>
    );
  }

  const current = (path: string) => (location.path === path ? 'page' : undefined);
  return (
    <>
      <header class="top-bar">
        <Link href="/" class="brand">
          Reelgate
        </Link>
        {client === undefined ? null : (
          <nav aria-label="Main">
            <Link href="/" aria-current={current('/')}>
              Playground
            </Link>
            <Link href="/library" aria-current={location.path.startsWith('/library') ? 'page' : undefined}>
              Library
            </Link>
            <a href="/docs">API docs</a>
            <button type="button" class="link-button" onClick={signOut}>
              Sign out
            </button>
          </nav>
        )}
      </header>
      <main>{page}</main>
    </>
  );
}
