/** A signed-in session as the API gives it (signUp, logIn, refreshToken). */
export interface Session {
  accessToken: string;
  refreshToken: string;
  /** ISO-8601: when the access token expires. */
  expiresAt: string;
  user: { id: string; email: string; fullName: string };
}

const KEY = 'wallet.session';
const listeners = new Set<(session: Session | null) => void>();

/**
 * The session lives in localStorage, so a reload stays signed in and every tab shares it: a
 * refresh or a sign-out in one tab is seen by the others (the `storage` event).
 */
export const sessionStore = {
  load(): Session | null {
    try {
      const raw = localStorage.getItem(KEY);
      return raw ? (JSON.parse(raw) as Session) : null;
    } catch {
      return null;
    }
  },
  save(session: Session | null): void {
    if (session) localStorage.setItem(KEY, JSON.stringify(session));
    else localStorage.removeItem(KEY);
    for (const listener of listeners) listener(session);
  },
  /** Keeps the signed-in user's address current after an email change (when it is this session's user). */
  updateEmail(user: { id: string; email: string }): void {
    const session = sessionStore.load();
    if (session && session.user.id === user.id && session.user.email !== user.email) {
      sessionStore.save({ ...session, user: { ...session.user, email: user.email } });
    }
  },
  subscribe(listener: (session: Session | null) => void): () => void {
    listeners.add(listener);
    return () => listeners.delete(listener);
  },
};

window.addEventListener('storage', (event) => {
  if (event.key !== KEY) return;
  const session = sessionStore.load();
  for (const listener of listeners) listener(session);
});
