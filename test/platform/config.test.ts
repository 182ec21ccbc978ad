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

  it('gives the SMTP sender timeouts of seconds unless told (nodemailer would wait up to an hour)', () => {
    expect(smtpTimeoutsOf(loadConfig({}))).toEqual({ connectionTimeoutMs: 10_000, greetingTimeoutMs: 10_000, socketTimeoutMs: 30_000 });
    expect(smtpTimeoutsOf(loadConfig({ SMTP_GREETING_TIMEOUT_MS: '2500' })).greetingTimeoutMs).toBe(2500);
    expect(() => loadConfig({ SMTP_SOCKET_TIMEOUT_MS: 'jamais' })).toThrow(/SMTP_SOCKET_TIMEOUT_MS/);
  });
});
