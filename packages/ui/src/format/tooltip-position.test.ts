import { describe, expect, it } from 'vitest';
import { TOOLTIP_MARGIN, tooltipPosition } from './tooltip-position.ts';

const VIEWPORT = { width: 400, height: 300 };
const TIP = { width: 120, height: 24 };

describe('tooltipPosition', () => {
  it('centres the tooltip above its anchor when there is room', () => {
    expect(tooltipPosition({ left: 180, top: 100, width: 40, height: 16 }, TIP, VIEWPORT)).toEqual({
      left: 140,
      top: 100 - 24 - TOOLTIP_MARGIN,
    });
  });

  it('moves it inside the viewport at the left and right edges', () => {
    expect(tooltipPosition({ left: 0, top: 100, width: 16, height: 16 }, TIP, VIEWPORT).left).toBe(TOOLTIP_MARGIN);
    expect(tooltipPosition({ left: 390, top: 100, width: 16, height: 16 }, TIP, VIEWPORT).left).toBe(
      400 - 120 - TOOLTIP_MARGIN,
    );
  });

  it('puts it below an anchor at the top of the viewport', () => {
    expect(tooltipPosition({ left: 180, top: 4, width: 40, height: 16 }, TIP, VIEWPORT).top).toBe(
      4 + 16 + TOOLTIP_MARGIN,
    );
  });
});
