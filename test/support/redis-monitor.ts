import net from 'node:net';

/** Commands Redis ran, in the order it ran them (MONITOR), each as its name and arguments. */
export interface RedisMonitor {
  readonly commands: string[][];
  /** Resolves once Redis has answered MONITOR: every command after this is seen. */
  readonly ready: Promise<void>;
  close(): void;
}

/**
 * MONITOR over a plain socket. ioredis's monitor mode is switched on only after MONITOR's
 * reply has been handled, so a command logged in the same packet as that reply fails with
 * "Command queue state error" when other clients are busy; reading the lines ourselves has
 * no such window.
 */
export function monitorRedis(redisUrl: string): RedisMonitor {
  const url = new URL(redisUrl);
  const socket = net.connect(Number(url.port || 6379), url.hostname);
  const commands: string[][] = [];
  let buffered = '';
  let answered: () => void = () => {};
  let failed: (err: Error) => void = () => {};
  const ready = new Promise<void>((resolve, reject) => {
    answered = resolve;
    failed = reject;
  });
  socket.setEncoding('utf8');
  socket.on('error', (err) => failed(err));
  socket.on('connect', () => {
    const auth = url.password ? `AUTH ${decodeURIComponent(url.username || 'default')} ${decodeURIComponent(url.password)}\r\n` : '';
    socket.write(`${auth}MONITOR\r\n`);
  });
  socket.on('data', (chunk: string) => {
    buffered += chunk;
    let end: number;
    while ((end = buffered.indexOf('\r\n')) >= 0) {
      const line = buffered.slice(0, end);
      buffered = buffered.slice(end + 2);
      if (line.startsWith('-')) failed(new Error(`MONITOR: ${line.slice(1)}`));
      else if (line === '+OK') answered();
      else if (line.startsWith('+')) commands.push(monitorArgs(line));
    }
  });
  return { commands, ready, close: () => socket.destroy() };
}

/** `+1700000000.123456 [0 127.0.0.1:5000] "incr" "key"` → ['incr', 'key']. */
function monitorArgs(line: string): string[] {
  const args: string[] = [];
  for (const m of line.matchAll(/"((?:[^"\\]|\\.)*)"/g)) {
    args.push(m[1].replace(/\\(x[0-9a-f]{2}|.)/g, (_, e: string) => (e.length === 3 ? String.fromCharCode(parseInt(e.slice(1), 16)) : e === 'n' ? '\n' : e === 'r' ? '\r' : e === 't' ? '\t' : e)));
  }
  return args;
}
