export function HistoryScreen(_props: { id?: string }) { return <p>Not built yet</p>; }
export function TransactionScreen(_props: { id?: string }) { return <p>Not built yet</p>; }
