/** Where a tooltip goes: above its anchor, centred, and always inside the viewport. */

export interface Box {
  readonly left: number;
  readonly top: number;
  readonly width: number;
  readonly height: number;
}

/** Space kept between the tooltip and the viewport's edges, and between it and its anchor. */
export const TOOLTIP_MARGIN = 6;

/**
 * The top-left corner of a `tip`-sized tooltip for `anchor` (both in viewport pixels): centred
 * above it, or below it when there is no room above; moved sideways so that no edge leaves a
 * `viewport`-sized window.
 */
export function tooltipPosition(
  anchor: Box,
  tip: { readonly width: number; readonly height: number },
  viewport: { readonly width: number; readonly height: number },
): { left: number; top: number } {
  const centred = anchor.left + anchor.width / 2 - tip.width / 2;
  const maxLeft = viewport.width - tip.width - TOOLTIP_MARGIN;
  const left = Math.max(TOOLTIP_MARGIN, Math.min(centred, maxLeft));
  const above = anchor.top - tip.height - TOOLTIP_MARGIN;
  const below = anchor.top + anchor.height + TOOLTIP_MARGIN;
  const fitsAbove = above >= TOOLTIP_MARGIN;
  const fitsBelow = below + tip.height <= viewport.height - TOOLTIP_MARGIN;
  const top = fitsAbove || !fitsBelow ? Math.max(TOOLTIP_MARGIN, above) : below;
  return { left, top };
}
