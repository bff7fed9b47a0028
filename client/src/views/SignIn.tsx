import { createSignal, Show, type JSX } from 'solid-js';
import { demoSignIn } from '../api/auth.ts';
import { isApiError } from '../api/http.ts';
import type { AuthConfig } from '../api/types.ts';
import { BrandMark } from '../components/BrandMark.tsx';
import { useDocumentTitle } from '../lib/document-title.ts';
import { signOutNotice, startSession } from '../session.ts';
import { handleProblem } from '../../../shared/rules/handle.ts';

/** The way in: demo sign-in by handle on the embedded server, otherwise a pointer to the host platform. */
export function SignIn(props: { config: AuthConfig }): JSX.Element {
  useDocumentTitle(() => 'Sign in');
  return (
    <main class="auth-page" id="main">
      <div class="auth-card">
        <div class="auth-card__brand">
          <BrandMark size={48} />
        </div>
        <h1 class="auth-card__title">Welcome to the Lounge</h1>
        <p class="auth-card__lead">Topic rooms, threads and direct messages for the whole community.</p>
        <Show when={signOutNotice()}>
          {(notice) => (
            <p class="notice" role="status">
              {notice()}
            </p>
          )}
        </Show>
        <Show when={props.config.demoSignIn} fallback={<HostPlatformSignIn />}>
          <DemoSignInForm />
        </Show>
      </div>
      <p class="auth-page__footer">
        {props.config.mode === 'embedded'
          ? 'Running on this computer in embedded mode.'
          : 'Part of your community platform.'}
      </p>
    </main>
  );
}

function HostPlatformSignIn(): JSX.Element {
  return (
    <div class="auth-card__host">
      <p>
        Members sign in on the community platform. Sign in there, then open <strong>The Lounge</strong> from the{' '}
        <strong>Community</strong> menu and you will land here, already signed in.
      </p>
    </div>
  );
}

function DemoSignInForm(): JSX.Element {
  const [handle, setHandle] = createSignal('');
  const [displayName, setDisplayName] = createSignal('');
  const [pending, setPending] = createSignal(false);
  const [error, setError] = createSignal<string | null>(null);

  const submit = async (event: SubmitEvent): Promise<void> => {
    event.preventDefault();
    if (pending()) return;
    // The server's own rule (shared), checked here first: a clear sentence, and no request that must fail.
    const problem = handleProblem(handle().trim());
    if (problem) {
      setError(problem);
      return;
    }
    setPending(true);
    setError(null);
    try {
      const name = displayName().trim();
      const result = await demoSignIn({ handle: handle().trim(), ...(name ? { displayName: name } : {}) });
      startSession({ token: result.token, user: result.user });
    } catch (err) {
      setError(isApiError(err) ? err.message : 'Signing in failed. Please try again.');
      setPending(false);
    }
  };

  return (
    <form class="auth-form" onSubmit={(event) => void submit(event)} noValidate aria-describedby="demo-note">
      <p class="auth-form__note" id="demo-note">
        Demo sign-in: pick a handle to try the Lounge. No password needed.
      </p>
      <div class="field">
        <label class="field__label" for="sign-in-handle">
          Handle
        </label>
        <div class="field__control field__control--prefixed">
          <span class="field__prefix" aria-hidden="true">
            @
          </span>
          <input
            id="sign-in-handle"
            name="handle"
            type="text"
            autocomplete="username"
            autocapitalize="none"
            spellcheck={false}
            autofocus
            maxLength={64}
            aria-describedby="sign-in-handle-hint"
            aria-invalid={error() ? 'true' : undefined}
            value={handle()}
            onInput={(event) => setHandle(event.currentTarget.value)}
          />
        </div>
        <p class="field__hint" id="sign-in-handle-hint">
          2–32 characters: letters, digits, “_”, “.” and “-”.
        </p>
      </div>
      <div class="field">
        <label class="field__label" for="sign-in-display-name">
          Display name <span class="field__optional">(optional)</span>
        </label>
        <div class="field__control">
          <input
            id="sign-in-display-name"
            name="displayName"
            type="text"
            autocomplete="nickname"
            maxLength={80}
            value={displayName()}
            onInput={(event) => setDisplayName(event.currentTarget.value)}
          />
        </div>
      </div>
      <Show when={error()}>
        {(message) => (
          <p class="form-error" role="alert">
            {message()}
          </p>
        )}
      </Show>
      <button type="submit" class="button button--primary button--block" disabled={pending()} aria-busy={pending()}>
        {pending() ? 'Signing in…' : 'Sign in'}
      </button>
    </form>
  );
}
