export function WithdrawScreen(_props: { id?: string }) { return <p>Not built yet</p>; }
