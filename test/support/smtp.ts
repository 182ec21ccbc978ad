// A real SMTP receiver (smtp-server) that keeps every message, parsed with mailparser.
import { SMTPServer } from 'smtp-server';
import { simpleParser, type ParsedMail } from 'mailparser';

export interface ReceivedMail {
  to: string[];
  subject: string;
  text: string;
  html: string;
  /** The Message-ID header, as the mail systems downstream see it. */
  messageId: string;
}

export class SmtpReceiver {
  readonly messages: ReceivedMail[] = [];
  private server: SMTPServer;
  /** When > 0, the next n messages are refused with a temporary error (to test retries). */
  failNext = 0;
  port = 0;

  constructor() {
    this.server = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      logger: false,
      onData: (stream, _session, callback) => {
        if (this.failNext > 0) {
          this.failNext--;
          stream.resume();
          stream.on('end', () =>
            callback(Object.assign(new Error('try again later'), { responseCode: 451 })),
          );
          return;
        }
        simpleParser(stream)
          .then((mail: ParsedMail) => {
            const to = (Array.isArray(mail.to) ? mail.to : mail.to ? [mail.to] : []).flatMap((a) =>
              a.value.map((v) => v.address ?? ''),
            );
            this.messages.push({
              to,
              subject: mail.subject ?? '',
              text: mail.text ?? '',
              html: typeof mail.html === 'string' ? mail.html : '',
              messageId: mail.messageId ?? '',
            });
            callback();
          })
          .catch((err: Error) => callback(err));
      },
    });
  }

  async start(): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', () => resolve()));
    const addr = this.server.server.address();
    this.port = typeof addr === 'object' && addr ? addr.port : 0;
    return `smtp://127.0.0.1:${this.port}`;
  }

  to(address: string): ReceivedMail[] {
    return this.messages.filter((m) => m.to.some((t) => t.toLowerCase() === address.toLowerCase()));
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

/** The first URL in a text that starts with base. */
export function linkIn(text: string, base: string): string {
  const match = text.match(new RegExp(`${base.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}[^\\s"<>]+`));
  if (!match) throw new Error(`no link to ${base} in: ${text.slice(0, 300)}`);
  return match[0];
}
