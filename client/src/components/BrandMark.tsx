import { createUniqueId, type JSX } from 'solid-js';

/** The Lounge logo; same drawing as public/icon.svg, inline so it paints with the page, without another request. */
export function BrandMark(props: { size?: number }): JSX.Element {
  const size = () => props.size ?? 32;
  // Ids are document-wide; two marks on one page (header and a dialog) must not share a gradient id.
  const gradientId = `brand-mark-${createUniqueId()}`;
  return (
    <svg class="brand-mark" viewBox="0 0 64 64" width={size()} height={size()} aria-hidden="true">
      <defs>
        <linearGradient id={gradientId} x1="0" y1="0" x2="1" y2="1">
          <stop offset="0" stop-color="#7c6cff" />
          <stop offset="1" stop-color="#4f46e5" />
        </linearGradient>
      </defs>
      <rect width="64" height="64" rx="16" fill={`url(#${gradientId})`} />
      <path d="M18 16h9v24h17v8H18z" fill="#fff" />
      <circle cx="46" cy="20" r="5" fill="#34d399" />
    </svg>
  );
}
