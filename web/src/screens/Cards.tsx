export function CardDetailScreen(_props: { id?: string }) { return <p>Not built yet</p>; }
export function CardsScreen(_props: { id?: string }) { return <p>Not built yet</p>; }
