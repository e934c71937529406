import type { ReactNode } from 'react';

export interface Tab {
  readonly id: string;
  readonly label: string;
}

/** A row of tabs; the page keeps which one is open (in the URL, so a reload stays there). */
export function Tabs({
  tabs,
  active,
  onSelect,
  children,
}: {
  tabs: readonly Tab[];
  active: string;
  onSelect: (id: string) => void;
  children: ReactNode;
}) {
  return (
    <div className="tabs">
      <div className="tab-list" role="tablist">
        {tabs.map((tab) => (
          <button
            key={tab.id}
            type="button"
            role="tab"
            aria-selected={tab.id === active}
            className={tab.id === active ? 'tab tab-active' : 'tab'}
            onClick={() => onSelect(tab.id)}
          >
            {tab.label}
          </button>
        ))}
      </div>
      <div role="tabpanel">{children}</div>
    </div>
  );
}
