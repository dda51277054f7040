export function SendScreen(_props: { id?: string }) { return <p>Not built yet</p>; }
