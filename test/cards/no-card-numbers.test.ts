import { describe, expect, it } from 'vitest';
import {
  FreezeCardDocument,
  FundCardDocument,
  RevealCardDocument,
  SimulateCardPurchaseDocument,
  TerminateCardDocument,
  UnfreezeCardDocument,
  WithdrawFromCardDocument,
} from '../generated/graphql.js';
import { useTestServer, type TestServer } from '../support/server.js';
import { key, luhnValid, newCard, numberOnPage, sql, userWithWallet } from './sandbox-support.js';

/**
 * DESIGN.md money rule 10 / issue 4 point 7: no full card number is ever stored or logged.
 * After cards are created, revealed (pages fetched), loaded and spent, every row of every table
 * of this worker's database and every server log line is searched for card numbers.
 */

/** Does a run of digits look like a card number of a known brand (prefix and length)? */
function brandOf(digits: string): string | null {
  const n = digits.length;
  const p2 = Number(digits.slice(0, 2));
  const p4 = Number(digits.slice(0, 4));
  if (digits[0] === '4' && (n === 13 || n === 16 || n === 19)) return 'VISA';
  if (n === 16 && ((p2 >= 51 && p2 <= 55) || (p4 >= 2221 && p4 <= 2720))) return 'MASTERCARD';
  if (n === 15 && (p2 === 34 || p2 === 37)) return 'AMEX';
  if (n >= 16 && n <= 19 && (digits.startsWith('6011') || p2 === 65)) return 'DISCOVER';
  return null;
}

// Standing alone: not part of a longer word or number (so hex ids and hashes do not count),
// nor either side of a decimal number (a log's responseTime 3.6596779999999853).
const EDGE_BEFORE = '(?<![A-Za-z0-9_]|\\d\\.)';
const EDGE_AFTER = '(?![A-Za-z0-9_]|\\.\\d)';
const CANDIDATES = [
  new RegExp(`${EDGE_BEFORE}\\d{13,19}${EDGE_AFTER}`, 'g'), // 4000001234567899
  new RegExp(`${EDGE_BEFORE}\\d{4}(?:[ -]\\d{4}){2,3}(?:[ -]\\d{1,3})?${EDGE_AFTER}`, 'g'), // 4000 0012 3456 7899, 4000-0012-...
  new RegExp(`${EDGE_BEFORE}\\d{4}[ -]\\d{6}[ -]\\d{5}${EDGE_AFTER}`, 'g'), // Amex 3400 000000 00009
];

/** Card numbers found in a text: brand-prefixed, brand-length, Luhn-valid digit runs, plus any of `known`. */
function findCardNumbers(text: string, known: readonly string[] = []): string[] {
  const found: string[] = [];
  for (const re of CANDIDATES) {
    for (const m of text.matchAll(re)) {
      const digits = m[0].replace(/[ -]/g, '');
      if (digits.length >= 13 && digits.length <= 19 && brandOf(digits) && luhnValid(digits)) found.push(m[0]);
    }
  }
  // The numbers the issuer handed out, in any spelling: plain, or grouped by 4 with spaces or dashes.
  for (const n of known) {
    for (const form of [n, n.replace(/(\d{4})(?=\d)/g, '$1 '), n.replace(/(\d{4})(?=\d)/g, '$1-')]) {
      if (text.includes(form)) found.push(form);
    }
  }
  return found;
}

/** A Luhn-valid number from a prefix, padded to `length` with digits from `seed`. */
function makeNumber(prefix: string, length: number, seed = 7): string {
  let body = prefix;
  while (body.length < length - 1) body += String((body.length * seed) % 10);
  for (let d = 0; d <= 9; d++) if (luhnValid(body + d)) return body + d;
  throw new Error('unreachable');
}

interface Hit {
  where: string;
  match: string;
}

async function scanDatabase(server: TestServer, known: readonly string[]): Promise<{ hits: Hit[]; rows: number; tables: string[] }> {
  const tables = (await sql<{ tablename: string }>(server.app, `select tablename from pg_tables where schemaname = 'public' order by tablename`)).map(
    (t) => t.tablename,
  );
  const hits: Hit[] = [];
  let rows = 0;
  for (const table of tables) {
    // PostgreSQL's own JSON of each whole row: every column, text, json, numbers and bytea (as hex) alike.
    const all = await sql<{ j: string }>(server.app, `select row_to_json(t)::text as j from "${table.replace(/"/g, '""')}" t`);
    for (const { j } of all) {
      rows++;
      for (const match of findCardNumbers(j, known)) hits.push({ where: `${table}: ${j.slice(0, 300)}`, match });
    }
  }
  return { hits, rows, tables };
}

function scanLogs(lines: readonly string[], known: readonly string[]): Hit[] {
  return lines.flatMap((line, i) => findCardNumbers(line, known).map((match) => ({ where: `log line ${i}: ${line.slice(0, 300)}`, match })));
}

const server = useTestServer({ LOG_LEVEL: 'debug' });

describe('the scanner itself', () => {
  it('finds planted numbers of each brand in each spelling, and leaves ordinary values alone', () => {
    const visa = makeNumber('400000', 16);
    const visa13 = makeNumber('4', 13);
    const visa19 = makeNumber('4', 19);
    const mc = makeNumber('5500', 16);
    const mc2 = makeNumber('2221', 16);
    const amex = makeNumber('37', 15);
    const discover = makeNumber('6011', 16);
    const discover65 = makeNumber('65', 16);
    for (const n of [visa, visa13, visa19, mc, mc2, amex, discover, discover65]) {
      expect(findCardNumbers(`{"description":"paid with ${n} today"}`), n).toEqual([n]);
    }
    expect(findCardNumbers(`pan ${visa.replace(/(\d{4})(?=\d)/g, '$1 ')}.`)).toHaveLength(1);
    expect(findCardNumbers(`pan=${visa.replace(/(\d{4})(?=\d)/g, '$1-')}`)).toHaveLength(1);
    expect(findCardNumbers(`"${amex.slice(0, 4)} ${amex.slice(4, 10)} ${amex.slice(10)}"`)).toHaveLength(1);
    // In a whole row's JSON, as the database scan sees it.
    expect(findCardNumbers(JSON.stringify({ id: 'x', merchant: { name: `Shop ${mc}` }, amount: '500' }))).toEqual([mc]);

    // Not card numbers: wrong Luhn digit, no brand prefix, wrong length, part of a longer run or word.
    const badLuhn = visa.slice(0, 15) + String((Number(visa[15]) + 1) % 10);
    expect(findCardNumbers(`x ${badLuhn} x`)).toEqual([]);
    expect(findCardNumbers(`x ${makeNumber('9', 16)} x ${makeNumber('1', 16)} x`)).toEqual([]);
    expect(findCardNumbers(`x ${makeNumber('4', 17)} x`)).toEqual([]);
    expect(findCardNumbers(`x 9${visa} x abc${visa}def`)).toEqual([]);
    // Either side of a decimal number (a log line's responseTime) is not a card number.
    expect(findCardNumbers(`{"responseTime":3.${visa},"x":${visa}.5}`)).toEqual([]);
    expect(findCardNumbers(`{"at":"2026-11-28T05:40:00.000Z","time":${Date.now()},"id":"6f1c2a9e-1b2c-4d3e-8f90-123456789012","amount":"1000000"}`)).toEqual([]);
    // ...unless it is one the issuer handed out: then any occurrence counts.
    expect(findCardNumbers(`abc${visa}def`, [visa])).toEqual([visa]);
    expect(findCardNumbers(`${badLuhn}`, [badLuhn])).toEqual([badLuhn]);
  });

  it('finds a number planted in the database and in the logs', async () => {
    const { user, walletId } = await userWithWallet(server, 5_000n);
    await newCard(server, user.token, { walletId, initialAmount: '100' });
    const planted = makeNumber('4111', 16);
    await sql(server.app, `update transactions set description = ? where type = 'CARD_FUNDING' and direction = 'CREDIT'`, [
      `Loaded from ${planted.replace(/(\d{4})(?=\d)/g, '$1 ')}`,
    ]);
    const db = await scanDatabase(server, []);
    expect(db.hits.map((h) => h.match.replace(/ /g, ''))).toContain(planted);
    expect(db.hits.every((h) => h.where.startsWith('transactions:'))).toBe(true);
    expect(scanLogs([...server.logs, JSON.stringify({ msg: `card ${planted}` })], []).map((h) => h.match)).toEqual([planted]);
  });
});

describe('no card numbers anywhere', () => {
  it('after creating, revealing, loading and spending cards, no table row and no log line holds a card number', async () => {
    const [a, b] = [await userWithWallet(server, 50_000n, 'alice'), await userWithWallet(server, 50_000n, 'bob')];
    const shown: string[] = [];
    const cards: { id: string; last4: string }[] = [];
    for (const { user, walletId } of [a, b]) {
      for (let i = 0; i < 3; i++) {
        const { card } = await newCard(server, user.token, {
          walletId,
          label: `Card ${i}`,
          initialAmount: '5000',
          spendingLimit: i === 2 ? { amount: '1000', interval: 'DAILY' } : null,
        });
        cards.push(card);
        // Reveal twice (the number comes back the same), and try each link a second time.
        for (let r = 0; r < 2; r++) {
          const rev = await server.gql(RevealCardDocument, { input: { cardId: card.id } }, { token: user.token });
          expect(rev.errors, JSON.stringify(rev.errors)).toBeUndefined();
          const page = await fetch(rev.data!.revealCard.url!);
          expect(page.status).toBe(200);
          const number = numberOnPage(await page.text());
          expect(number && luhnValid(number) && number.endsWith(card.last4)).toBe(true);
          // The page really shows a card number the scanner recognises.
          expect(findCardNumbers(number!)).toEqual([number]);
          shown.push(number!);
          expect((await fetch(rev.data!.revealCard.url!)).status).toBe(404);
        }
        await server.gql(FundCardDocument, { input: { cardId: card.id, amount: '700', idempotencyKey: key() } }, { token: user.token });
        await server.gql(WithdrawFromCardDocument, { input: { cardId: card.id, amount: '200', idempotencyKey: key() } }, { token: user.token });
        for (const [amount, merchantName] of [
          ['1200', 'Shoprite'],
          ['50', 'DECLINE'],
          ['999999', 'Jeweller'],
        ] as const) {
          const p = await server.gql(
            SimulateCardPurchaseDocument,
            { input: { cardId: card.id, amount, merchantName, merchantCategory: 'retail', merchantCountry: 'NG', idempotencyKey: key() } },
            { token: user.token },
          );
          expect(p.errors, JSON.stringify(p.errors)).toBeUndefined();
        }
        await server.gql(FreezeCardDocument, { input: { cardId: card.id } }, { token: user.token });
        await server.gql(UnfreezeCardDocument, { input: { cardId: card.id } }, { token: user.token });
      }
    }
    // Two-phase purchases through the issuer path, and a termination.
    const services = server.app.services;
    await services.track(() =>
      services.cardPurchases.authorize(server.app.orm.em.fork(), { cardId: cards[0].id, issuerAuthorizationId: 'scan-1', amount: 300n, merchant: { name: 'Hotel' } }),
    );
    await services.track(() => services.cardSettlements.capture(server.app.orm.em.fork(), cards[0].id, 'scan-1', 200n));
    await services.track(() => services.cardSettlements.refund(server.app.orm.em.fork(), cards[0].id, 100n, { name: 'Hotel' }));
    await server.gql(TerminateCardDocument, { input: { cardId: cards[1].id } }, { token: a.user.token });
    // An expired reveal link, fetched.
    const late = await server.gql(RevealCardDocument, { input: { cardId: cards[2].id } }, { token: a.user.token });
    await sql(server.app, `update card_reveal_tokens set expires_at = now() - interval '1 minute' where used_at is null`);
    expect((await fetch(late.data!.revealCard.url!)).status).toBe(404);

    const known = [...new Set(shown)];
    expect(known).toHaveLength(cards.length); // one number per card, the same on each reveal

    const db = await scanDatabase(server, known);
    expect(db.tables).toEqual(expect.arrayContaining(['cards', 'card_reveal_tokens', 'card_authorizations', 'transactions', 'ledger_accounts']));
    expect(db.rows).toBeGreaterThan(50);
    expect(db.hits, JSON.stringify(db.hits, null, 2)).toEqual([]);

    // Let the request logs land, then read every line.
    await new Promise((r) => setTimeout(r, 100));
    expect(server.logs.length).toBeGreaterThan(10);
    const logHits = scanLogs(server.logs, known);
    expect(logHits, JSON.stringify(logHits, null, 2)).toEqual([]);
    // Nor the reveal tokens (which open the page) in the logs.
    const urls = server.logs.filter((l) => /\/sandbox\/cards\/[A-Za-z0-9_-]{20,}/.test(l));
    expect(urls).toEqual([]);
  });
});
