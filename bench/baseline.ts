// The reference the bench runs beside the app (harness.ts startBaseline): Express with one small
// query and one tiny template, no session. What the same machine gives for a request that does
// almost nothing: a reference for reading the figures, not a target.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import express from 'express';
import pg from 'pg';

const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: 8 });
const app = express();
app.set('views', path.dirname(fileURLToPath(import.meta.url)));
app.set('view engine', 'ejs');
app.get('/healthz', (_req, res) => {
  res.send('ok');
});
app.get('/', async (_req, res) => {
  const { rows } = await pool.query<{ count: number }>('SELECT count(*)::int AS count FROM schools');
  res.render('baseline', { name: 'baseline', count: rows[0]!.count });
});
const server = app.listen(Number(process.env.PORT));
process.on('SIGTERM', () => {
  server.close();
  server.closeAllConnections();
  void pool.end();
});
