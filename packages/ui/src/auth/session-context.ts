import { createContext, useContext } from 'react';
import { canOperate, type Session } from './session.ts';

export interface SessionControls {
  readonly session: Session | null;
  signIn(session: Session): void;
  signOut(): void;
}

export const SessionContext = createContext<SessionControls>({
  session: null,
  signIn: () => {},
  signOut: () => {},
});

export function useSession(): SessionControls {
  return useContext(SessionContext);
}

/** True when the signed-in user may write (trigger, pause, clear, edit state). */
export function useCanOperate(): boolean {
  return canOperate(useSession().session);
}
