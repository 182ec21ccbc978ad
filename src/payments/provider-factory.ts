// Builds the payment provider from the configuration: the real PayFiP client, pointed at
// PAYFIP_URL or, outside production, at the app's own PayFiP stand-in (same code path).
import type { Config } from '../config.js';
import { createPayfipClient } from './payfip/client.js';
import { PaymentProviderError, type PaymentProvider } from './provider.js';

export const STANDIN_PREFIX = '/payfip-standin';
const TIMEOUT_MS = 10_000;

function payfipBaseUrl(config: Config): string | null {
  if (config.PAYFIP_URL) return config.PAYFIP_URL;
  if (config.NODE_ENV === 'production') return null;
  return `${config.baseUrl}${STANDIN_PREFIX}`;
}

export function createPaymentProvider(config: Config): PaymentProvider {
  const baseUrl = payfipBaseUrl(config);
  if (!baseUrl) {
    // Production without PAYFIP_URL: the portal runs, online payment answers a clear error.
    const unconfigured = async (): Promise<never> => {
      throw new PaymentProviderError('CONFIG', 'PAYFIP_URL is not set', 'config');
    };
    return { createOperation: unconfigured, getResult: unconfigured };
  }
  return createPayfipClient({
    baseUrl,
    numcli: config.PAYFIP_NUMCLI,
    saisie: config.PAYFIP_SAISIE,
    timeoutMs: TIMEOUT_MS,
  });
}
