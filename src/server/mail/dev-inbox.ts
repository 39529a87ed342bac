import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';

export interface CapturedMail {
  id: string;
  receivedAt: Date;
  from: string;
  to: string[];
  subject: string;
  text: string;
  html: string | null;
}

/**
 * A real SMTP server inside the process, for the demo and tests when no SMTP_URL is configured: mail travels over
 * SMTP exactly as in production, and lands here, readable at /dev/mail so a person can click a verification link.
 * It listens on loopback only and keeps the latest messages in memory.
 */
export class DevInbox {
  private readonly messages: CapturedMail[] = [];
  private readonly waiters = new Set<() => void>();
  private server: SMTPServer | undefined;
  port = 0;

  constructor(private readonly capacity = 500) {}

  async start(): Promise<string> {
    this.server = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      banner: 'Learnscape development inbox',
      logger: false,
      onData: (stream, session, callback) => {
        simpleParser(stream)
          .then((parsed) => {
            this.messages.unshift({
              id: randomUUID(),
              receivedAt: new Date(),
              from: parsed.from?.text ?? session.envelope.mailFrom?.toString() ?? '',
              to: session.envelope.rcptTo.map((rcpt) => rcpt.address),
              subject: parsed.subject ?? '',
              text: parsed.text ?? '',
              html: typeof parsed.html === 'string' ? parsed.html : null,
            });
            this.messages.length = Math.min(this.messages.length, this.capacity);
            for (const wake of this.waiters) wake();
            callback();
          })
          .catch((error: Error) => callback(error));
      },
    });
    const server = this.server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    this.port = (server.server.address() as AddressInfo).port;
    return `smtp://127.0.0.1:${this.port}`;
  }

  list(): CapturedMail[] {
    return [...this.messages];
  }

  get(id: string): CapturedMail | undefined {
    return this.messages.find((message) => message.id === id);
  }

  /** Waits until a message matching `predicate` arrives (tests use this). */
  async waitFor(predicate: (mail: CapturedMail) => boolean, timeoutMs = 10_000): Promise<CapturedMail> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.messages.find(predicate);
      if (found) return found;
      const remaining = deadline - Date.now();
      if (remaining <= 0) throw new Error('No matching email arrived in time.');
      await new Promise<void>((resolve) => {
        const wake = () => {
          this.waiters.delete(wake);
          clearTimeout(timer);
          resolve();
        };
        const timer = setTimeout(wake, remaining);
        this.waiters.add(wake);
      });
    }
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
