import type { JSX } from 'solid-js';
import { Link } from '../components/Link.tsx';
import { useDocumentTitle } from '../lib/document-title.ts';
import { paths } from '../router.ts';

/** A COMMUNITY page that is part of the product but not open yet; it says so and points back. */
export function ComingSoon(props: { title: string; emoji: string; description: string }): JSX.Element {
  useDocumentTitle(() => props.title);
  return (
    <main class="page page--centered" id="main" tabIndex={-1}>
      <div class="empty-state">
        <span class="empty-state__emoji" aria-hidden="true">
          {props.emoji}
        </span>
        <h1 class="empty-state__title">{props.title}</h1>
        <p class="empty-state__text">{props.description}</p>
        <Link class="button button--secondary" href={paths.lounge}>
          Back to The Lounge
        </Link>
      </div>
    </main>
  );
}
