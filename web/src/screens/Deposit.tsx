export function DepositScreen(_props: { id?: string }) { return <p>Not built yet</p>; }
