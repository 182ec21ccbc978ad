// Antivirus hook: every uploaded file goes through a scanner before it is accepted. By default
// nothing is scanned (acceptAll); with CLAMAV_SOCKET, files are streamed to clamd (INSTREAM).
import { createConnection } from 'node:net';

type ScanResult = { clean: true } | { clean: false; signature: string };

export interface Scanner {
  readonly name: string;
  /** Throws when the scan could not be done: callers refuse the file (fail closed). */
  scan(data: Buffer): Promise<ScanResult>;
}

export const acceptAllScanner: Scanner = {
  name: 'none',
  scan: async () => ({ clean: true }),
};

const CHUNK = 64 * 1024;

/**
 * ClamAV over clamd's unix socket (or "host:port"), with the INSTREAM command: the file is sent in
 * chunks, each prefixed with its length as a 4-byte big-endian integer, ended by a zero length.
 * clamd answers "stream: OK", "stream: <signature> FOUND" or "... ERROR".
 */
export function clamavScanner(socket: string, timeoutMs = 30_000): Scanner {
  const target = /^[^/].*:\d+$/.test(socket)
    ? {
        host: socket.slice(0, socket.lastIndexOf(':')),
        port: Number(socket.slice(socket.lastIndexOf(':') + 1)),
      }
    : { path: socket };
  return {
    name: 'clamav',
    scan: (data) =>
      new Promise<ScanResult>((resolve, reject) => {
        const conn = createConnection(target);
        const replies: Buffer[] = [];
        let settled = false;
        const finish = (err: Error | null, result?: ScanResult) => {
          if (settled) return;
          settled = true;
          conn.destroy();
          if (err) reject(err);
          else resolve(result!);
        };
        conn.setTimeout(timeoutMs, () => finish(new Error('clamd timed out')));
        conn.on('error', (err) => finish(err));
        conn.on('data', (chunk) => replies.push(chunk));
        conn.on('end', () => {
          const reply = Buffer.concat(replies).toString('utf8').replace(/\0/g, '').trim();
          if (/^stream: OK$/.test(reply)) return finish(null, { clean: true });
          const found = /^stream: (.+) FOUND$/.exec(reply);
          if (found) return finish(null, { clean: false, signature: found[1]! });
          finish(new Error(`clamd: ${reply.slice(0, 200) || 'no answer'}`));
        });
        conn.on('connect', () => {
          conn.write('zINSTREAM\0');
          for (let offset = 0; offset < data.length; offset += CHUNK) {
            const part = data.subarray(offset, offset + CHUNK);
            const size = Buffer.alloc(4);
            size.writeUInt32BE(part.length);
            conn.write(size);
            conn.write(part);
          }
          conn.write(Buffer.alloc(4)); // zero length: end of stream
        });
      }),
  };
}

export function scannerFromConfig(config: { CLAMAV_SOCKET?: string }): Scanner {
  return config.CLAMAV_SOCKET ? clamavScanner(config.CLAMAV_SOCKET) : acceptAllScanner;
}
