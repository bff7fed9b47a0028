/** Space kept between a popover and the window's edges (an embedded widget can be a small frame). */
const EDGE_PX = 8;
const GAP_PX = 6;

export interface PopoverPlace {
  top: number;
  left: number;
  maxHeight: number;
}

/**
 * Where a `position: fixed` popover sits for the button that opened it: under the button, or above it
 * when there is more room there; kept inside the window and shortened to fit. `align` chooses which edge
 * of the button it lines up with (a menu at the end of a row opens leftwards; a name's card rightwards).
 */
export function placePopover(trigger: HTMLElement, panel: HTMLElement, align: 'start' | 'end' = 'end'): PopoverPlace {
  const button = trigger.getBoundingClientRect();
  const width = panel.offsetWidth;
  const height = panel.scrollHeight;
  const below = window.innerHeight - button.bottom - GAP_PX - EDGE_PX;
  const above = button.top - GAP_PX - EDGE_PX;
  const up = below < height && above > below;
  const maxHeight = Math.max(0, up ? above : below);
  const shown = Math.min(height, maxHeight);
  const wanted = align === 'end' ? button.right - width : button.left;
  return {
    top: Math.max(EDGE_PX, up ? button.top - GAP_PX - shown : button.bottom + GAP_PX),
    left: Math.max(EDGE_PX, Math.min(wanted, window.innerWidth - width - EDGE_PX)),
    maxHeight,
  };
}
