import { splitProps, type JSX } from 'solid-js';
import { navigate } from '../router.ts';

export type LinkProps = JSX.AnchorHTMLAttributes<HTMLAnchorElement> & { href: string };

/**
 * An in-app link: a real <a href> (so it can be opened in a new tab, copied and read by assistive tech)
 * whose plain clicks change the page without reloading it.
 */
export function Link(props: LinkProps): JSX.Element {
  const [local, rest] = splitProps(props, ['href', 'onClick']);
  const onClick: JSX.EventHandler<HTMLAnchorElement, MouseEvent> = (event) => {
    if (typeof local.onClick === 'function') local.onClick(event);
    const opensElsewhere =
      event.button !== 0 ||
      event.metaKey ||
      event.ctrlKey ||
      event.shiftKey ||
      event.altKey ||
      rest.target === '_blank';
    if (event.defaultPrevented || opensElsewhere) return;
    event.preventDefault();
    navigate(local.href);
  };
  return <a href={local.href} onClick={onClick} {...rest} />;
}
