import type { CSSProperties, MouseEvent, ReactNode } from 'react';
import { navigate } from '../hooks/use-location.ts';

/** An in-app link: a real `<a href>` (open in a new tab works) that navigates without a reload. */
export function Link({
  to,
  children,
  className,
  style,
  tooltip,
}: {
  to: string;
  children: ReactNode;
  className?: string;
  style?: CSSProperties;
  /** Shown on hover and focus by the TooltipLayer, inside the viewport. */
  tooltip?: string;
}) {
  const onClick = (event: MouseEvent<HTMLAnchorElement>) => {
    if (event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
    event.preventDefault();
    navigate(to);
  };
  return (
    <a href={to} onClick={onClick} className={className} style={style} data-tooltip={tooltip}>
      {children}
    </a>
  );
}
