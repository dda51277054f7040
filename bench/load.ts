/**
 * One autocannon run in its own process. Reads its job as JSON from argv[2], prints one
 * JSON line (RESULT ...) with req/s and latencies. mode "transfer" sends a transfer per
 * request: senders round-robin, a fresh idempotency key and a random recipient each time.
 */
import { randomUUID } from 'node:crypto';
import autocannon from 'autocannon';

interface Job {
  url: string;
  connections: number;
  duration: number;
  body?: string;
  headers?: Record<string, string>;
  transfer?: { senders: { token: string; walletId: string }[]; recipientEmails: string[] };
}

const job = JSON.parse(process.argv[2]) as Job;
const TRANSFER = 'mutation T($input: TransferInput!) { transfer(input: $input) { transaction { id } } }';
let next = 0;
let graphqlErrors = 0;
let firstError: string | undefined;

const opts: autocannon.Options = {
  url: job.url,
  connections: job.connections,
  duration: job.duration,
  method: 'POST',
  headers: { 'content-type': 'application/json', ...job.headers },
  body: job.body,
};
if (job.transfer) {
  const t = job.transfer;
  opts.requests = [
    {
      setupRequest: (req) => {
        const s = t.senders[next++ % t.senders.length];
        const to = t.recipientEmails[Math.floor(Math.random() * t.recipientEmails.length)];
        return {
          ...req,
          headers: { ...req.headers, authorization: `Bearer ${s.token}` },
          body: JSON.stringify({
            query: TRANSFER,
            variables: { input: { fromWalletId: s.walletId, recipientEmail: to, amount: '1', idempotencyKey: randomUUID() } },
          }),
        };
      },
      onResponse: (status, body) => {
        if (status !== 200 || body.includes('"errors"')) {
          graphqlErrors++;
          firstError ??= `${status} ${body.slice(0, 300)}`;
        }
      },
    },
  ];
} else {
  opts.requests = [
    {
      onResponse: (status, body) => {
        if (status !== 200 || body.includes('"errors"')) {
          graphqlErrors++;
          firstError ??= `${status} ${body.slice(0, 300)}`;
        }
      },
    },
  ];
}

const r = await autocannon(opts);
process.stdout.write(
  `RESULT ${JSON.stringify({
    rps: r.requests.average,
    total: r.requests.total,
    p50: r.latency.p50,
    p99: r.latency.p99,
    non2xx: r.non2xx,
    errors: r.errors,
    timeouts: r.timeouts,
    graphqlErrors,
    firstError,
  })}\n`,
);
