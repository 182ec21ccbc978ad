// The only place that reads process.env: parsed once with zod, fails fast with a clear message.
import { z } from 'zod';

const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((v) => v === 'true' || v === '1' || v === 'yes');

const schema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  BASE_URL: z.string().url().optional(),
  DATABASE_URL: z.string().url().optional(),
  DATABASE_POOL_MAX: z.coerce.number().int().min(2).max(100).default(8),
  DATA_DIR: z.string().default('.data'),
  EMBEDDED_PG_PORT: z.coerce.number().int().min(1024).max(65535).default(54329),
  SESSION_SECRET: z.string().min(32).optional(),
  SMTP_URL: z.string().optional(),
  MAIL_FROM: z.string().default('Portail Famille <ne-pas-repondre@saint-exemple.test>'),
  /** How long the sender waits for the relay to accept the connection, to greet, and for any reply. */
  SMTP_CONNECTION_TIMEOUT_MS: z.coerce.number().int().min(100).default(10_000),
  SMTP_GREETING_TIMEOUT_MS: z.coerce.number().int().min(100).default(10_000),
  SMTP_SOCKET_TIMEOUT_MS: z.coerce.number().int().min(100).default(30_000),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  RUN_WORKER: bool.default(true),
  SEED_DEMO: bool.optional(),
  ARGON2_MEMORY_KIB: z.coerce.number().int().min(1024).default(19456),
  ARGON2_ITERATIONS: z.coerce.number().int().min(1).default(2),
  PARENT_IDLE_MINUTES: z.coerce.number().int().min(1).default(30),
  STAFF_IDLE_MINUTES: z.coerce.number().int().min(1).default(120),
  SESSION_ABSOLUTE_HOURS: z.coerce.number().int().min(1).default(12),
  RATE_LIMIT_LOGIN_PER_ACCOUNT: z.coerce.number().int().min(1).default(5),
  RATE_LIMIT_LOGIN_PER_IP: z.coerce.number().int().min(1).default(30),
  RATE_LIMIT_WINDOW_MINUTES: z.coerce.number().int().min(1).default(15),
  CLAMAV_SOCKET: z.string().optional(),
  TRUST_PROXY: z.string().optional(),
  /** Demo families (households, their documents, enrolments, bookings, invoices) in the seeds; reference data always. */
  DEMO_FAMILIES: bool.default(true),
  PAYFIP_URL: z.string().url().optional(),
  PAYFIP_NUMCLI: z
    .string()
    .regex(/^\d{6}$/)
    .default('000000'),
  PAYFIP_SAISIE: z.enum(['T', 'X', 'W']).default('T'),
  SEPA_CREDITOR_ID: z.string().default('FR72ZZZ123456'), // a valid example: set the town's own
  SEPA_CREDITOR_NAME: z.string().default('TRESOR PUBLIC SAINT-EXEMPLE'),
  SEPA_CREDITOR_IBAN: z.string().default('FR7630001007941234567890185'),
  SEPA_CREDITOR_BIC: z.string().default('BDFEFRPPCCT'),
});

export type Config = z.infer<typeof schema> & { baseUrl: string; embedded: boolean; seedDemo: boolean };

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = schema.safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  - ${i.path.join('.')}: ${i.message}`);
    throw new Error(`Invalid configuration:\n${lines.join('\n')}`);
  }
  const c = parsed.data;
  if (c.NODE_ENV === 'production') {
    const problems = productionProblems(env);
    if (problems.length)
      throw new Error(`Invalid configuration for production:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  }
  const embedded = !c.DATABASE_URL;
  return {
    ...c,
    baseUrl: (c.BASE_URL ?? `http://localhost:${c.PORT}`).replace(/\/$/, ''),
    embedded,
    // Demo data goes into the embedded database by default; against DATABASE_URL only with `npm run seed`.
    seedDemo: c.SEED_DEMO ?? (embedded && c.NODE_ENV !== 'test'),
  };
}

/** Variables that have a demo value outside production: production must set each, to something else. */
const REQUIRED_IN_PRODUCTION = [
  'SESSION_SECRET',
  'BASE_URL',
  'SMTP_URL',
  'PAYFIP_URL',
  'PAYFIP_NUMCLI',
  'PAYFIP_SAISIE',
  'SEPA_CREDITOR_ID',
  'SEPA_CREDITOR_NAME',
  'SEPA_CREDITOR_IBAN',
  'SEPA_CREDITOR_BIC',
] as const;

/** The demo values of the README and the seeds: a town that copied them would take no real money. */
const DEMO_VALUES: Partial<Record<(typeof REQUIRED_IN_PRODUCTION)[number], string[]>> = {
  PAYFIP_NUMCLI: ['000000'],
  SEPA_CREDITOR_ID: ['FR72ZZZ123456'],
  SEPA_CREDITOR_NAME: ['TRESOR PUBLIC SAINT-EXEMPLE'],
  SEPA_CREDITOR_IBAN: ['FR7630001007941234567890185'],
  SEPA_CREDITOR_BIC: ['BDFEFRPPCCT'],
};

function productionProblems(env: NodeJS.ProcessEnv): string[] {
  const problems: string[] = [];
  for (const name of REQUIRED_IN_PRODUCTION) {
    const value = env[name]?.trim();
    if (!value) problems.push(`${name}: required in production`);
    else if (DEMO_VALUES[name]?.includes(value))
      problems.push(`${name}: the demo value cannot be used in production`);
  }
  if (env.BASE_URL && /^http:\/\/(localhost|127\.)/.test(env.BASE_URL))
    problems.push('BASE_URL: must be the public https address of the portal');
  if (env.PAYFIP_URL && /payfip-standin/.test(env.PAYFIP_URL))
    problems.push('PAYFIP_URL: the local stand-in cannot be used in production');
  return problems;
}
