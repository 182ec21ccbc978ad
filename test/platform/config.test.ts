import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';

describe('configuration', () => {
  it('keeps 8 connections to PostgreSQL per process unless told, and refuses a pool that cannot work', () => {
    expect(loadConfig({}).DATABASE_POOL_MAX).toBe(8);
    expect(loadConfig({ DATABASE_POOL_MAX: '24' }).DATABASE_POOL_MAX).toBe(24);
    expect(() => loadConfig({ DATABASE_POOL_MAX: '1' })).toThrow(/DATABASE_POOL_MAX/);
    expect(() => loadConfig({ DATABASE_POOL_MAX: 'beaucoup' })).toThrow(/DATABASE_POOL_MAX/);
  });
});
