import { useQuery } from '@apollo/client/react';
import { createContext, useContext, useEffect, useState, type ReactNode } from 'react';
import type { Api } from './api';
import type { CurrencyInfo } from './format';
import { Currencies } from './operations';
import { sessionStore, type Session } from './session';

const ApiContext = createContext<Api | null>(null);
const SessionContext = createContext<Session | null>(null);
const CurrencyContext = createContext<Map<string, CurrencyInfo>>(new Map());

export function AppProviders({ api, children }: { api: Api; children: ReactNode }) {
  const [session, setSession] = useState(sessionStore.load);
  useEffect(() => sessionStore.subscribe(setSession) as () => void, []);
  return (
    <ApiContext.Provider value={api}>
      <SessionContext.Provider value={session}>
        <CurrencyProvider>{children}</CurrencyProvider>
      </SessionContext.Provider>
    </ApiContext.Provider>
  );
}

function CurrencyProvider({ children }: { children: ReactNode }) {
  const { data } = useQuery(Currencies);
  const [byCode, setByCode] = useState(new Map<string, CurrencyInfo>());
  useEffect(() => {
    if (data) setByCode(new Map(data.currencies.map((c) => [c.code, c])));
  }, [data]);
  return <CurrencyContext.Provider value={byCode}>{children}</CurrencyContext.Provider>;
}

export function useApi(): Api {
  const api = useContext(ApiContext);
  if (!api) throw new Error('useApi outside AppProviders');
  return api;
}

/** The signed-in session, or null. */
export function useSession(): Session | null {
  return useContext(SessionContext);
}

/** A currency's exponent, name and symbol (a plain two-decimal stand-in until `currencies` arrives). */
export function useCurrency(code: string): CurrencyInfo {
  return useContext(CurrencyContext).get(code) ?? { code, exponent: 2, name: code, symbol: code };
}

export function useCurrencies(): CurrencyInfo[] {
  return [...useContext(CurrencyContext).values()];
}
