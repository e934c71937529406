import { useEffect, useLayoutEffect, useRef, useState } from 'react';
import { createPortal } from 'react-dom';
import { tooltipPosition } from '../format/tooltip-position.ts';

interface Shown {
  readonly text: string;
  readonly anchor: Element;
}

const anchorOf = (target: EventTarget | null): Element | null =>
  target instanceof Element ? target.closest('[data-tooltip]') : null;

/**
 * The one tooltip of the app: any element with `data-tooltip` shows its text while it is hovered or
 * focused, in a box fixed to the viewport (rendered in `body`, so no scrolling grid or graph clips
 * it) and moved to stay wholly inside the window. Escape, a scroll or leaving the element hides it.
 */
export function TooltipLayer() {
  const [shown, setShown] = useState<Shown | null>(null);
  const box = useRef<HTMLDivElement>(null);

  useEffect(() => {
    const show = (event: Event) => {
      const anchor = anchorOf(event.target);
      if (anchor) setShown({ anchor, text: anchor.getAttribute('data-tooltip') ?? '' });
    };
    const leave = (event: Event) => {
      const anchor = anchorOf(event.target);
      const next = (event as PointerEvent | FocusEvent).relatedTarget;
      if (anchor && next instanceof Node && anchor.contains(next)) return;
      setShown((current) => (current && current.anchor === anchor ? null : current));
    };
    const hide = () => setShown(null);
    const onKey = (event: KeyboardEvent) => {
      if (event.key === 'Escape') hide();
    };
    document.addEventListener('pointerover', show);
    document.addEventListener('focusin', show);
    document.addEventListener('pointerout', leave);
    document.addEventListener('focusout', leave);
    document.addEventListener('keydown', onKey);
    window.addEventListener('scroll', hide, true);
    return () => {
      document.removeEventListener('pointerover', show);
      document.removeEventListener('focusin', show);
      document.removeEventListener('pointerout', leave);
      document.removeEventListener('focusout', leave);
      document.removeEventListener('keydown', onKey);
      window.removeEventListener('scroll', hide, true);
    };
  }, []);

  // A removed anchor (the page changed under the pointer) takes its tooltip with it.
  useEffect(() => {
    if (!shown) return;
    const check = window.setInterval(() => {
      if (!shown.anchor.isConnected) setShown(null);
    }, 500);
    return () => window.clearInterval(check);
  }, [shown]);

  useLayoutEffect(() => {
    const element = box.current;
    if (!shown || !element) return;
    const anchor = shown.anchor.getBoundingClientRect();
    const { left, top } = tooltipPosition(
      { left: anchor.left, top: anchor.top, width: anchor.width, height: anchor.height },
      { width: element.offsetWidth, height: element.offsetHeight },
      { width: document.documentElement.clientWidth, height: document.documentElement.clientHeight },
    );
    element.style.left = `${left}px`;
    element.style.top = `${top}px`;
    element.style.visibility = 'visible';
  }, [shown]);

  if (!shown || shown.text === '') return null;
  return createPortal(
    <div ref={box} className="floating-tooltip" role="tooltip" data-testid="tooltip" style={{ visibility: 'hidden' }}>
      {shown.text}
    </div>,
    document.body,
  );
}
