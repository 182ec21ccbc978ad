// PayFiP's input rules for creerPaiementSecurise, in one place: the client checks them before
// any HTTP call, the stand-in answers them with the same FonctionnelleErreur codes.
import type { CreerPaiementSecuriseArgs } from './soap.js';

const REFDET_PATTERN = /^[A-Za-z0-9]{1,30}$/;
export const NUMCLI_PATTERN = /^[0-9]{6}$/;
export const SAISIE_VALUES = ['T', 'X', 'W'] as const;
export type PayfipSaisie = (typeof SAISIE_VALUES)[number];

export const MIN_AMOUNT_CENTS = 100;
/** 99 999,99 €: the ceiling public integrations use (payfip.md gives no figure; M5 above it). */
const MAX_AMOUNT_CENTS = 9_999_999;
const MAX_URL_LENGTH = 249; // "< 250 characters"
const MAX_OBJET_LENGTH = 99; // "< 100 characters"

/** An idOp as PayFiP hands them out (a UUID) or as anything sane would; used to refuse junk early. */
export const IDOP_PATTERN = /^[A-Za-z0-9-]{1,64}$/;

/** An operation lives 15 minutes (payfip.md). */
export const OPERATION_TTL_MS = 15 * 60 * 1000;

export interface RuleViolation {
  code: string;
  message: string;
}

const EMAIL_PATTERN = /^[^\s@<>()[\]",;:\\]+@[^\s@<>()[\]",;:\\]+\.[^\s@<>()[\]",;:\\]+$/;

function isAbsoluteHttpUrl(value: string): boolean {
  if (value.length === 0 || value.length > MAX_URL_LENGTH) return false;
  try {
    const url = new URL(value);
    return url.protocol === 'https:' || url.protocol === 'http:';
  } catch {
    return false;
  }
}

/**
 * The first rule the arguments break, or null. Codes are PayFiP's (payfip.md), except E1 for
 * the budget year, which payfip.md does not name.
 */
export function checkCreerArgs(args: CreerPaiementSecuriseArgs): RuleViolation | null {
  if (!NUMCLI_PATTERN.test(args.numcli)) return { code: 'T1', message: 'Numéro client invalide' };
  if (!(SAISIE_VALUES as readonly string[]).includes(args.saisie))
    return { code: 'S1', message: 'Mode de saisie invalide' };
  if (!/^[0-9]{4}$/.test(args.exer)) return { code: 'E1', message: "Format de l'exercice invalide" };
  if (!REFDET_PATTERN.test(args.refdet))
    return { code: 'R3', message: "Le format du paramètre REFDET n'est pas conforme" };
  if (!/^(0|[1-9][0-9]{0,11})$/.test(args.montant))
    return { code: 'M1', message: "Le format du montant n'est pas correct" };
  const montant = Number(args.montant);
  if (montant < MIN_AMOUNT_CENTS) return { code: 'M3', message: 'Montant minimum 1 € requis' };
  if (montant > MAX_AMOUNT_CENTS) return { code: 'M5', message: 'Montant supérieur au maximum autorisé' };
  if (args.mel.length === 0) return { code: 'A1', message: 'Adresse électronique non renseignée' };
  if (args.mel.length < 6 || args.mel.length > 80 || !EMAIL_PATTERN.test(args.mel))
    return { code: 'A2', message: "L'adresse électronique est incorrecte" };
  if (!isAbsoluteHttpUrl(args.urlnotif)) return { code: 'N1', message: 'URL de notification non valide' };
  if (!isAbsoluteHttpUrl(args.urlredirect)) return { code: 'D1', message: 'URL de redirection non valide' };
  return null;
}

/**
 * PayFiP's objet, "no accents is safest": accents removed, only letters, digits, spaces and
 * a little punctuation kept, at most 99 characters.
 */
export function normaliseObjet(label: string): string {
  return label
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[œŒæÆß]/g, (c) => ({ œ: 'oe', Œ: 'OE', æ: 'ae', Æ: 'AE', ß: 'ss' })[c] ?? '')
    .replace(/[^A-Za-z0-9 .,:/()+-]/g, ' ')
    .replace(/\s+/g, ' ')
    .trim()
    .slice(0, MAX_OBJET_LENGTH)
    .trim();
}
