// A real HTTP server for the protocol tests: the PayFiP stand-in mounted at /payfip-standin,
// a small notification receiver and a return page, and the real client pointed at it.
import express from 'express';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { createPayfipClient } from '../../../src/payments/payfip/client.js';
import {
  createMemoryStandinStore,
  createPayfipStandin,
  type PayfipStandinOptions,
  type StandinStore,
} from '../../../src/payments/payfip/standin.js';

/** A clock the test sets and moves. */
class TestClock {
  private current: number;
  constructor(start: string) {
    this.current = Date.parse(start);
  }
  now(): Date {
    return new Date(this.current);
  }
  advance(ms: number): void {
    this.current += ms;
  }
}

export const NUMCLI = '123456';

export async function startStandin(options: Partial<PayfipStandinOptions> & { store?: StandinStore } = {}) {
  const clock = new TestClock('2026-03-02T10:00:00Z');
  const store = options.store ?? createMemoryStandinStore();
  const errors: Array<{ error: unknown; during: string; idOp?: string }> = [];
  const notified: string[] = [];
  const waiting: Array<{ idOp: string; resolve: () => void }> = [];

  const app = express();
  app.use(
    '/payfip-standin',
    createPayfipStandin({
      clock,
      production: false,
      store,
      onError: (error, context) => errors.push({ error, ...context }),
      ...options,
    }),
  );
  app.post('/payments/payfip/notify', express.urlencoded({ extended: false }), (req, res) => {
    const idOp = String((req.body as Record<string, unknown>).idop ?? '');
    notified.push(idOp);
    for (const waiter of waiting.filter((w) => w.idOp === idOp)) waiter.resolve();
    res.sendStatus(204);
  });
  app.get('/payments/payfip/return', (_req, res) => {
    res.send('retour');
  });

  const server = app.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const baseUrl = `${origin}/payfip-standin`;
  const client = createPayfipClient({ baseUrl, numcli: NUMCLI, saisie: 'T', timeoutMs: 5000 });

  return {
    origin,
    baseUrl,
    clock,
    store,
    client,
    errors,
    notified,
    operationInput(overrides: Record<string, unknown> = {}) {
      return {
        reference: '2026000123',
        amountCents: 1999,
        payerEmail: 'parent@example.fr',
        label: 'Facture 2026-000123 — cantine février',
        notificationUrl: `${origin}/payments/payfip/notify`,
        returnUrl: `${origin}/payments/payfip/return`,
        exer: 2026,
        ...overrides,
      };
    },
    /** Resolves when the receiver got the notification for this idOp. */
    notification(idOp: string, timeoutMs = 3000): Promise<void> {
      if (notified.includes(idOp)) return Promise.resolve();
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no notification for ${idOp}`)), timeoutMs);
        waiting.push({
          idOp,
          resolve: () => {
            clearTimeout(timer);
            resolve();
          },
        });
      });
    },
    async close() {
      server.closeAllConnections();
      server.close();
      await once(server, 'close');
    },
  };
}

/** What a browser does on the payment page: read it, then submit one of its buttons. */
export async function openPaymentPage(url: string) {
  const response = await fetch(url);
  const html = await response.text();
  const nonce = /name="nonce" value="([^"]+)"/.exec(html)?.[1] ?? '';
  const idop = /name="idop" value="([^"]+)"/.exec(html)?.[1] ?? '';
  const action = /<form method="post" action="([^"]+)"/.exec(html)?.[1] ?? '';
  return { status: response.status, html, nonce, idop, action };
}

export async function submitChoice(
  origin: string,
  page: { action: string; idop: string; nonce: string },
  choix: 'payer' | 'refuser' | 'abandonner',
) {
  const response = await fetch(new URL(page.action, origin), {
    method: 'POST',
    body: new URLSearchParams({ idop: page.idop, nonce: page.nonce, choix }),
    redirect: 'manual',
  });
  return { status: response.status, location: response.headers.get('location'), html: await response.text() };
}
