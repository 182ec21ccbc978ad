// The online payment provider, shaped like PayFiP (see /work/shared/payfip.md):
// create an operation, send the payer to its page, then ask the provider for the result.
// The notification the provider sends is only a signal: the app settles a payment from
// getResult(), and only if the result names the same reference and amount it created.

export interface CreateOperationInput {
  /** PayFiP `refdet`: 1–30 characters [A-Za-z0-9] (e.g. the invoice number without dashes). */
  reference: string;
  /** Integer cents, at least 100 (1 €). */
  amountCents: number;
  /** 6–80 characters. */
  payerEmail: string;
  /** Free label; the adapter reduces it to what PayFiP accepts (no accents, < 100 characters). */
  label: string;
  /** Absolute URL the provider POSTs the unsigned notification to (< 250 characters). */
  notificationUrl: string;
  /** Absolute URL the payer's browser comes back to (< 250 characters). */
  returnUrl: string;
  /** Budget year (4 digits), e.g. 2026. */
  exer: number;
}

export interface CreatedOperation {
  /** PayFiP `idOp`: valid for 15 minutes, usable once. */
  operationId: string;
  /** Where to send the payer's browser. */
  redirectUrl: string;
}

export type PaymentState =
  /** Paid by card (resultrans P). */
  | 'paid'
  /** Paid by direct debit, to be confirmed by the bank (resultrans V): the app decides whether it counts as paid. */
  | 'paid_debit_pending'
  /** Card or direct debit refused (resultrans R or Z). */
  | 'refused'
  /** The payer left the payment page (resultrans A). */
  | 'abandoned'
  /** No result yet (fault P5): ask again later. */
  | 'unknown'
  /** More than 15 minutes without a result (fault P4): the operation will never be paid. */
  | 'expired'
  /** Unknown or already used operation (faults P1, P3). */
  | 'invalid';

export interface OperationResult {
  state: PaymentState;
  amountCents?: number;
  reference?: string;
  /** PayFiP `numauto` (authorisation number), when there is one. */
  authorisation?: string;
  /** When the payer completed the transaction (from dattrans/heurtrans, Europe/Paris). */
  paidAt?: Date;
  /** PayFiP `resultrans` (P, V, A, R, Z) or the fault code (P1, P3, P4, P5). */
  rawCode?: string;
}

export interface PaymentProvider {
  createOperation(input: CreateOperationInput): Promise<CreatedOperation>;
  getResult(operationId: string): Promise<OperationResult>;
}

/**
 * Where a provider call went wrong:
 * - `input`: the request was refused before any HTTP call (code is the PayFiP code the server would give);
 * - `config`: the adapter's configuration is wrong (numcli, saisie, base URL);
 * - `fault`: PayFiP answered with a SOAP fault (code is its FonctionnelleErreur code, e.g. M3, R3, T1);
 * - `transport`: network error, timeout, HTTP error or a response that cannot be read.
 */
export type PaymentProviderErrorKind = 'input' | 'config' | 'fault' | 'transport';

export class PaymentProviderError extends Error {
  override readonly name = 'PaymentProviderError';
  constructor(
    /** PayFiP error code (R3, M3, T1, P1 …) or a transport code (TIMEOUT, NETWORK, HTTP, MALFORMED). */
    readonly code: string,
    message: string,
    readonly kind: PaymentProviderErrorKind,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/**
 * True when a provider result settles the operation the app created: paid (or debit pending),
 * with the same reference and amount. Anything else must not be recorded as a payment.
 */
export function resultConfirms(
  result: OperationResult,
  expected: { reference: string; amountCents: number },
): boolean {
  return (
    (result.state === 'paid' || result.state === 'paid_debit_pending') &&
    result.reference === expected.reference &&
    result.amountCents === expected.amountCents
  );
}
