// The PayFiP stand-in's SOAP endpoint (see standin.ts): creerPaiementSecurise checks PayFiP's
// rules and stores the operation; recupererDetailPaiementSecurise answers its result, or PayFiP's
// fault codes (P1 unknown, P4 expired, P5 not known yet).
import type { Request, Response } from 'express';
import { randomBytes, randomUUID } from 'node:crypto';
import { IDOP_PATTERN, checkCreerArgs, type RuleViolation } from './rules.js';
import {
  CREER_ARG_NAMES,
  PAYFIP_NAMESPACE,
  buildFonctionnelleFault,
  buildPlainFault,
  buildResponse,
  readSoap,
  type CreerPaiementSecuriseArgs,
  type PaiementDetail,
} from './soap.js';
import type { StandinContext } from './standin.js';
import type { StandinOperation } from './standin-store.js';
import { XmlFormatError, element, leafText } from './xml.js';

const FAULTS = {
  P1: 'IdOp incorrect.',
  P3: "L'idOp ne doit pas avoir déjà été utilisé.",
  P4: "L'idOp ne doit pas avoir été enregistré depuis plus de 15 minutes.",
  P5: 'Résultat de la transaction non connu.',
  T2: 'Le numéro du client doit être préexistant dans la base PayFiP.',
} as const;

class SoapFault extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** The SOAP endpoint's handler; `numcli`, when set, is the only client number accepted (else T2). */
export function createStandinSoapEndpoint(
  { clock, store, isExpired, reportError }: StandinContext,
  numcli: string | undefined,
) {
  async function creerPaiementSecurise(content: string): Promise<string> {
    const arg0 = element(content, 'arg0');
    if (!arg0) throw new XmlFormatError('no arg0');
    const args = {} as CreerPaiementSecuriseArgs;
    for (const name of CREER_ARG_NAMES) args[name] = (leafText(arg0.inner, name) ?? '').trim();

    const violation: RuleViolation | null =
      checkCreerArgs(args) ?? (numcli && args.numcli !== numcli ? { code: 'T2', message: FAULTS.T2 } : null);
    if (violation) throw new SoapFault(violation.code, violation.message);

    const op: StandinOperation = {
      idOp: randomUUID(),
      ...args,
      nonce: randomBytes(24).toString('base64url'),
      createdAt: clock.now(),
      result: null,
    };
    await store.put(op);
    return buildResponse('creerPaiementSecurise', { idOp: op.idOp });
  }

  async function recupererDetailPaiementSecurise(content: string): Promise<string> {
    const arg0 = element(content, 'arg0');
    const idOp = (arg0 ? leafText(arg0.inner, 'idOp') : undefined)?.trim() ?? '';
    const op = IDOP_PATTERN.test(idOp) ? await store.get(idOp) : undefined;
    if (!op) throw new SoapFault('P1', FAULTS.P1);
    // Once decided, the result can be asked for again and again (the app polls and retries).
    if (!op.result) throw isExpired(op) ? new SoapFault('P4', FAULTS.P4) : new SoapFault('P5', FAULTS.P5);
    const detail: PaiementDetail = {
      dattrans: op.result.dattrans,
      exer: op.exer,
      heurtrans: op.result.heurtrans,
      idOp: op.idOp,
      mel: op.mel,
      montant: op.montant,
      numauto: op.result.numauto,
      numcli: op.numcli,
      objet: op.objet,
      refdet: op.refdet,
      resultrans: op.result.resultrans,
      saisie: op.saisie,
    };
    return buildResponse('recupererDetailPaiementSecurise', detail);
  }

  async function soapEndpoint(req: Request, res: Response): Promise<void> {
    const send = (status: number, xml: string) => {
      res.status(status).type('text/xml; charset=utf-8').send(xml);
    };
    try {
      if (typeof req.body !== 'string') throw new XmlFormatError('no XML body');
      const message = readSoap(req.body);
      if (message.kind !== 'body' || message.namespace !== PAYFIP_NAMESPACE) {
        send(500, buildPlainFault('Client', 'Opération inconnue'));
        return;
      }
      if (message.operation === 'creerPaiementSecurise')
        send(200, await creerPaiementSecurise(message.content));
      else if (message.operation === 'recupererDetailPaiementSecurise')
        send(200, await recupererDetailPaiementSecurise(message.content));
      else send(500, buildPlainFault('Client', 'Opération inconnue'));
    } catch (error) {
      if (error instanceof SoapFault) send(500, buildFonctionnelleFault(error.code, error.message));
      else if (error instanceof XmlFormatError)
        send(500, buildPlainFault('Client', 'Requête SOAP illisible'));
      else {
        reportError(error, { during: 'soap' });
        send(500, buildPlainFault('Server', 'Erreur technique'));
      }
    }
  }

  return soapEndpoint;
}
