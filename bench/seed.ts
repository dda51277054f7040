/**
 * Seeds the bench database through the server's own services, in-process (signing up
 * 1,000 users over HTTP would spend the run on argon2): users sharing one argon2 hash,
 * sessions for the senders only, a wallet each, money credited as completed deposits. With
 * B12 or B13 wanted, also their own users (bench/money-flows.ts): depositors with an empty
 * wallet and funded withdrawers, each with a session, so B1's senders stay as they were.
 * Also measures B7 (SQL statements per history page) against this in-process server over
 * HTTP, counting what MikroORM's knex sends. Prints one JSON line on stdout.
 */
import 'reflect-metadata';
import { createApp } from '../src/app.js';
import { loadConfig } from '../src/config/config.js';
import { createWallet, fundMany, insertUsers, seedUsers } from '../test/support/money.js';
import { wanted } from './lib.js';

/** Users rows only (one shared argon2 hash, computed once), no session. */
const USERS = Number(process.env.BENCH_USERS ?? 1000);
// Half of the 1,000 wallets send (each with a session), half only receive: each sender's
// history then grows at a realistic pace during a run, as limits and monitoring read it.
const SENDERS = Number(process.env.BENCH_SENDERS ?? 500);
/** B12's depositors and, apart, B13's withdrawers: each flow's 50 clients go round-robin over this many users. */
const FLOW_USERS = Number(process.env.BENCH_FLOW_USERS ?? 100);

async function main(): Promise<void> {
  const config = loadConfig();
  const app = await createApp(config, {});
  await app.migrated;
  const url = await app.listen();
  const t0 = Date.now();
  let last = t0;
  const step = (what: string) => {
    process.stderr.write(`[bench:seed] ${what} in ${Date.now() - last} ms\n`);
    last = Date.now();
  };

  const senders = await seedUsers(app, SENDERS, 'sender');
  // Recipients need no session.
  const recipients = await insertUsers(app, USERS - SENDERS, 'user');
  const all = [...senders, ...recipients];
  step(`${senders.length} senders with sessions, ${recipients.length} recipients`);
  const wallets: string[] = [];
  for (let i = 0; i < all.length; i += 20) {
    wallets.push(...(await Promise.all(all.slice(i, i + 20).map((u) => createWallet(app, u.id, 'NGN')))));
  }
  step(`${wallets.length} wallets`);
  const funded = wallets.slice(0, SENDERS);
  for (let i = 0; i < funded.length; i += 100) await fundMany(app, funded.slice(i, i + 100), 1_000_000_000n);
  step(`${funded.length} deposits`);
  /** Users with a session and an NGN wallet each, `amount` deposited into every one (none for 0n). */
  const flowUsers = async (prefix: string, amount: bigint) => {
    const users = await seedUsers(app, FLOW_USERS, prefix);
    const walletIds = await Promise.all(users.map((u) => createWallet(app, u.id, 'NGN')));
    if (amount > 0n) await fundMany(app, walletIds, amount);
    return users.map((u, i) => ({ token: u.token, walletId: walletIds[i] }));
  };
  const depositors = wanted('B12') ? await flowUsers('depositor', 0n) : [];
  const withdrawers = wanted('B13') ? await flowUsers('withdrawer', 1_000_000_000n) : [];
  if (depositors.length + withdrawers.length) step(`${depositors.length} depositors, ${withdrawers.length} funded withdrawers`);
  const seedMs = Date.now() - t0;

  // B7: a viewer with 55 incoming transfers from 10 senders, then a card (created with a first
  // load from the wallet, loaded once more, 10 purchases): the newest 50 rows are 36 transfers
  // (wallet, counterparty), 12 rows of the card (card) and the 2 loads' wallet rows (wallet).
  const gql = async (token: string, query: string, variables: Record<string, unknown> = {}) => {
    const res = await fetch(`${url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ query, variables }),
    });
    const body = (await res.json()) as { data?: unknown; errors?: unknown[] };
    if (body.errors) throw new Error(JSON.stringify(body.errors));
    return body;
  };
  const [viewer] = await seedUsers(app, 1, 'viewer');
  const viewerWallet = await createWallet(app, viewer.id, 'NGN');
  for (let i = 0; i < 55; i++) {
    const s = i % 10;
    await gql(senders[s].token, TRANSFER, {
      input: { fromWalletId: wallets[s], recipientEmail: viewer.email, amount: String(100 + i), idempotencyKey: `b7-${i}` },
    });
  }
  const knex = app.orm.em.getConnection().getKnex();
  /** The statements one page sends (the run with fewest of three, the cache generation bumped before each). */
  const statements = async (first: number): Promise<string[]> => {
    let best: string[] | null = null;
    for (let run = 0; run < 3; run++) {
      await app.generations.bump([viewer.id]);
      const seen: string[] = [];
      const listener = (q: { sql: string }) => seen.push(q.sql);
      knex.on('query', listener);
      try {
        await gql(viewer.token, HISTORY, { first });
      } finally {
        knex.off('query', listener);
      }
      if (!best || seen.length < best.length) best = seen;
    }
    return best!;
  };
  // A page of 1 holding a transfer (wallet, counterparty)...
  const oneTransfer = await statements(1);
  const created = (await gql(viewer.token, CREATE_CARD, {
    input: { walletId: viewerWallet, initialAmount: '3000', label: 'bench', idempotencyKey: 'b7-card' },
  })) as { data: { createCard: { card: { id: string } } } };
  const cardId = created.data.createCard.card.id;
  await gql(viewer.token, FUND_CARD, { input: { cardId, amount: '1000', idempotencyKey: 'b7-fund' } });
  for (let i = 0; i < 10; i++) {
    await gql(viewer.token, PURCHASE, {
      input: { cardId, amount: String(50 + i), merchantName: `Shop ${i}`, idempotencyKey: `b7-buy-${i}` },
    });
  }
  // ... and one holding a card purchase (card); then the page of 50 with both kinds.
  const oneCard = await statements(1);
  const fiftySql = await statements(50);
  step('B7 (55 transfers, a card with 10 purchases, pages counted)');
  const page = (await gql(viewer.token, HISTORY, { first: 50 })) as {
    data: { transactions: { edges: { node: { card: unknown; counterparty: unknown } }[] } };
  };
  const edges = page.data.transactions.edges;
  // A page of 1 cannot hold a card row and a transfer row at once: its count is what single-row
  // pages of both kinds need together (their distinct statements, literal values aside).
  const shape = (sql: string) =>
    sql
      .replace(/'(?:[^']|'')*'/g, '?')
      .replace(/\b\d+\b/g, '?')
      .replace(/\?(?:\s*,\s*\?)+/g, '?');
  const one = new Set([...oneTransfer, ...oneCard].map(shape)).size;
  const b7 = {
    one,
    fifty: fiftySql.length,
    detail:
      `page of 50 (${edges.filter((e) => e.node.card).length} card rows, ${edges.filter((e) => e.node.counterparty).length} with a counterparty): ` +
      `${fiftySql.length} statements; pages of 1: a transfer ${oneTransfer.length}, a card purchase ${oneCard.length}, ${one} distinct together`,
  };
  // What one transfer sends to PostgreSQL (for B1's report and, later, B2's pgbench script).
  const transferSql: string[] = [];
  // A prepared statement's values come as bindings: inline them, as B2's script needs the literals.
  const literal = (v: unknown) => (v === null || v === undefined ? 'null' : `'${String(v).replace(/'/g, "''")}'`);
  const listener = (q: { sql: string; bindings?: unknown[] }) =>
    transferSql.push(q.bindings?.length ? q.sql.replace(/\$(\d+)/g, (_, n: string) => literal(q.bindings![Number(n) - 1])) : q.sql);
  knex.on('query', listener);
  await gql(senders[1].token, TRANSFER, {
    input: { fromWalletId: wallets[1], recipientEmail: recipients[5].email, amount: '7', idempotencyKey: 'b2-capture' },
  });
  knex.off('query', listener);
  // The viewer needs its own session for the read rows.
  const out = {
    seedMs,
    senders: senders.map((s, i) => ({ token: s.token, walletId: wallets[i] })),
    recipientEmails: recipients.map((r) => r.email),
    reader: { token: senders[0].token, walletId: wallets[0] },
    depositors,
    withdrawers,
    b7,
    transferSql,
    transferCapture: { userId: senders[1].id, walletId: wallets[1], email: recipients[5].email, key: 'b2-capture' },
  };
  await app.close();
  // A pipe takes large writes asynchronously: exit only once the line is out.
  process.stdout.write(`SEED ${JSON.stringify(out)}\n`, () => process.exit(0));
}

const TRANSFER = `mutation T($input: TransferInput!) { transfer(input: $input) { transaction { id } } }`;
const HISTORY = `query H($first: Int) { transactions(first: $first) { edges { node { id amount { amount formatted }
  wallet { id balance { amount } } card { id last4 status balance { amount } } counterparty { id fullName } } } } }`;
const CREATE_CARD = `mutation C($input: CreateCardInput!) { createCard(input: $input) { card { id } } }`;
const FUND_CARD = `mutation F($input: CardAmountInput!) { fundCard(input: $input) { transaction { id } } }`;
const PURCHASE = `mutation P($input: SimulateCardPurchaseInput!) { simulateCardPurchase(input: $input) { transaction { id status } } }`;

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
