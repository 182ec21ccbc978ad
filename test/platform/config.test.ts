import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { smtpTimeoutsOf } from '../../src/platform/email.js';

describe('configuration', () => {
  it('keeps 8 connections to PostgreSQL per process unless told, and refuses a pool that cannot work', () => {
    expect(loadConfig({}).DATABASE_POOL_MAX).toBe(8);
    expect(loadConfig({ DATABASE_POOL_MAX: '24' }).DATABASE_POOL_MAX).toBe(24);
    expect(() => loadConfig({ DATABASE_POOL_MAX: '1' })).toThrow(/DATABASE_POOL_MAX/);
    expect(() => loadConfig({ DATABASE_POOL_MAX: 'beaucoup' })).toThrow(/DATABASE_POOL_MAX/);
  });

  it('refuses to start in production on demo values, naming each variable to set', () => {
    const message = (() => {
      try {
        loadConfig({ NODE_ENV: 'production', SEPA_CREDITOR_ID: 'FR72ZZZ123456' });
      } catch (err) {
        return (err as Error).message;
      }
      return '';
    })();
    for (const name of [
      'SESSION_SECRET',
      'BASE_URL',
      'SMTP_URL',
      'PAYFIP_URL',
      'PAYFIP_NUMCLI',
      'PAYFIP_SAISIE',
      'SEPA_CREDITOR_NAME',
      'SEPA_CREDITOR_IBAN',
      'SEPA_CREDITOR_BIC',
    ]) {
      expect(message).toContain(`${name}: required in production`);
    }
    expect(message).toContain('SEPA_CREDITOR_ID: the demo value cannot be used in production');
  });

  it("starts in production when every value is the town's own", () => {
    const real = {
      NODE_ENV: 'production',
      SESSION_SECRET: 'a-real-secret-of-the-town-with-forty-characters',
      BASE_URL: 'https://famille.ville.example',
      SMTP_URL: 'smtp://relay.ville.example:587',
      PAYFIP_URL: 'https://www.tipi.budget.gouv.fr/tpa/services/securite',
      PAYFIP_NUMCLI: '012345',
      PAYFIP_SAISIE: 'W',
      SEPA_CREDITOR_ID: 'FR12ZZZ654321',
      SEPA_CREDITOR_NAME: 'REGIE ENFANCE VILLE',
      SEPA_CREDITOR_IBAN: 'FR1420041010050500013M02606',
      SEPA_CREDITOR_BIC: 'PSSTFRPPPAR',
    };
    expect(loadConfig(real).baseUrl).toBe('https://famille.ville.example');
    expect(() => loadConfig({ ...real, BASE_URL: 'http://localhost:3000' })).toThrow(
      /BASE_URL: must be the public https address/,
    );
  });

  it('gives the SMTP sender timeouts of seconds unless told (nodemailer would wait up to an hour)', () => {
    expect(smtpTimeoutsOf(loadConfig({}))).toEqual({
      connectionTimeoutMs: 10_000,
      greetingTimeoutMs: 10_000,
      socketTimeoutMs: 30_000,
    });
    expect(smtpTimeoutsOf(loadConfig({ SMTP_GREETING_TIMEOUT_MS: '2500' })).greetingTimeoutMs).toBe(2500);
    expect(() => loadConfig({ SMTP_SOCKET_TIMEOUT_MS: 'jamais' })).toThrow(/SMTP_SOCKET_TIMEOUT_MS/);
  });
});
