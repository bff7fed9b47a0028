import { Match, onCleanup, Switch, type JSX } from 'solid-js';
import { parseEmbedAddress } from './embed-address.ts';
import { createWidgetAuth } from './widget-auth.ts';
import { WidgetChat } from './WidgetChat.tsx';
import { WidgetNotice } from './WidgetNotice.tsx';

/** The embeddable chat: reads which host context it shows from its address, signs in, opens the channel. */
export function Widget(): JSX.Element {
  const address = parseEmbedAddress(window.location.pathname);
  if (!address) {
    return (
      <WidgetNotice
        alert
        title="This chat address is not valid"
        text="The embed code should point at /embed/<project | learning_path | battle | ask_me>/<id>."
      />
    );
  }
  const auth = createWidgetAuth(address);
  onCleanup(auth.dispose);
  const signedIn = () => {
    const state = auth.state();
    return state.status === 'signed-in' ? state : null;
  };

  const refused = () => {
    const state = auth.state();
    return state.status === 'signed-out' || state.status === 'unreachable' ? state : null;
  };

  return (
    <Switch>
      <Match when={signedIn()} keyed>
        {(s) => <WidgetChat address={address} token={s.token} user={s.user} onUnauthorized={auth.renew} />}
      </Match>
      <Match when={auth.state().status === 'waiting'}>
        <WidgetNotice busy title="Opening the conversation…" text="Signing you in through this page." />
      </Match>
      <Match when={auth.state().status === 'no-host'}>
        <WidgetNotice
          alert
          title="Chat not connected"
          text="This page has not signed you in to the chat. If you are signed in, reload the page; if it keeps happening, the page's chat is not set up yet."
        />
      </Match>
      <Match when={auth.state().status === 'standalone-signed-out'}>
        <WidgetNotice title="Sign in to Lounge" text="Sign in to Lounge first, then open this conversation again.">
          <a class="button button--primary button--small" href="/lounge">
            Open Lounge
          </a>
        </WidgetNotice>
      </Match>
      <Match when={refused()}>
        {(state) => (
          <WidgetNotice
            alert
            title={state().status === 'signed-out' ? 'Sign in to chat' : 'Lounge is out of reach'}
            text={state().message}
          />
        )}
      </Match>
    </Switch>
  );
}
