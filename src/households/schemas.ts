// The household's forms. Messages are catalogue keys (locales/fr/households.json).
import { z } from 'zod';
import { isRealDay } from '../web/dates.js';
import { personName, text } from '../web/text.js';

const E = 'households.errors.';

/** Cross-field rules run even when a single field is wrong, so that every error shows at once. */
const always = {
  when: (payload: { value: unknown }) => typeof payload.value === 'object' && payload.value !== null,
};

/** French phone numbers: 10 digits starting with 0, or +33 and 9 digits; spaces, dots and dashes allowed. */
function normalisePhone(value: string): string | null {
  const compact = value.replace(/[\s.\-()]/g, '');
  let digits: string;
  if (/^0[1-9]\d{8}$/.test(compact)) digits = compact;
  else if (/^\+33[1-9]\d{8}$/.test(compact)) digits = `0${compact.slice(3)}`;
  else return null;
  return digits.replace(/(\d{2})(?=\d)/g, '$1 ');
}

const optionalText = (max: number, key: string) =>
  text()
    .trim()
    .max(max, E + key)
    .optional()
    .transform((v) => (v ? v : null));

const requiredText = (max: number, requiredKey: string, tooLongKey = 'tooLong') =>
  text({ message: E + requiredKey })
    .trim()
    .min(1, E + requiredKey)
    .max(max, E + tooLongKey);

/** A person's name: as requiredText, and nothing invisible in it. */
const requiredName = (max: number, requiredKey: string) =>
  personName({ message: E + requiredKey })
    .trim()
    .min(1, E + requiredKey)
    .max(max, E + 'tooLong');

const optionalName = (max: number) =>
  personName()
    .trim()
    .max(max, E + 'tooLong')
    .optional()
    .transform((v) => (v ? v : null));

const phone = (required: boolean, key = 'phoneInvalid') =>
  text()
    .trim()
    .max(30, E + key)
    .optional()
    .transform((v, ctx) => {
      if (!v) {
        if (required) ctx.addIssue({ code: 'custom', message: E + 'phoneRequired' });
        return null;
      }
      const n = normalisePhone(v);
      if (!n) ctx.addIssue({ code: 'custom', message: E + key });
      return n;
    });

const email = (required: boolean) =>
  text()
    .trim()
    .max(254, E + 'emailInvalid')
    .optional()
    .transform((v, ctx) => {
      if (!v) {
        if (required) ctx.addIssue({ code: 'custom', message: E + 'emailRequired' });
        return null;
      }
      if (!z.email().safeParse(v).success) ctx.addIssue({ code: 'custom', message: E + 'emailInvalid' });
      return v.toLowerCase();
    });

const checkbox = z
  .union([z.string(), z.array(z.string())])
  .optional()
  .transform((v) => v !== undefined && v !== '');

const idOrNull = text()
  .trim()
  .optional()
  .transform((v, ctx) => {
    if (!v) return null;
    if (!/^\d{1,9}$/.test(v)) {
      ctx.addIssue({ code: 'custom', message: 'errors.invalid' });
      return null;
    }
    return Number(v);
  });

export const householdSchema = z
  .object({
    address_kind: z.enum(['town', 'out_of_town'], { message: E + 'addressKindRequired' }),
    street_id: idOrNull,
    house_number: optionalText(10, 'houseNumberInvalid'),
    address_line: optionalText(200, 'tooLong'),
    address_complement: optionalText(200, 'tooLong'),
    postcode: optionalText(5, 'postcodeInvalid'),
    city: optionalText(100, 'tooLong'),
    phone_mobile: phone(false),
    phone_home: phone(false),
    phone_work: phone(false),
    email: email(true),
    allocataire_kind: z
      .enum(['', 'CAF', 'MSA'], { message: E + 'allocataireKindInvalid' })
      .optional()
      .default(''),
    allocataire_number: optionalText(20, 'allocataireInvalid'),
    paperless: checkbox,
  })
  .superRefine((v, ctx) => {
    const issue = (path: string, key: string) =>
      ctx.addIssue({ code: 'custom', path: [path], message: E + key });
    if (v.address_kind === 'town') {
      if (!v.street_id) issue('street_id', 'streetRequired');
      if (!v.house_number) issue('house_number', 'houseNumberRequired');
      else if (!/^\d{1,4}( ?(bis|ter|quater|[A-Za-z]))?$/i.test(v.house_number))
        issue('house_number', 'houseNumberInvalid');
    } else {
      if (!v.address_line) issue('address_line', 'addressLineRequired');
      if (!v.postcode) issue('postcode', 'postcodeRequired');
      else if (!/^\d{5}$/.test(v.postcode)) issue('postcode', 'postcodeInvalid');
      if (!v.city) issue('city', 'cityRequired');
    }
    if (!v.phone_mobile && !v.phone_home && !v.phone_work) issue('phone_mobile', 'phoneRequired');
    if (v.allocataire_kind === 'CAF' && !/^\d{7}$/.test(v.allocataire_number ?? ''))
      issue('allocataire_number', 'cafInvalid');
    if (v.allocataire_kind === 'MSA' && !/^\d{5,13}$/.test(v.allocataire_number ?? ''))
      issue('allocataire_number', 'msaInvalid');
    if (!v.allocataire_kind && v.allocataire_number) issue('allocataire_kind', 'allocataireKindRequired');
  }, always);
export type HouseholdInput = z.output<typeof householdSchema>;

const DIETS = ['none', 'no_pork', 'vegetarian', 'no_meat'] as const;

/** Dates typed as YYYY-MM-DD (the native date field) or JJ/MM/AAAA. */
const dateField = (requiredKey: string, invalidKey: string) =>
  text()
    .trim()
    .optional()
    .transform((v, ctx) => {
      if (!v) {
        ctx.addIssue({ code: 'custom', message: E + requiredKey });
        return '';
      }
      const fr = v.match(/^(\d{1,2})\/(\d{1,2})\/(\d{4})$/);
      const iso = fr ? `${fr[3]}-${fr[2]!.padStart(2, '0')}-${fr[1]!.padStart(2, '0')}` : v;
      if (!isRealDay(iso)) ctx.addIssue({ code: 'custom', message: E + invalidKey });
      return iso;
    });

const childSchema = z.object({
  kind: z.literal('child'),
  first_name: requiredName(100, 'firstNameRequired'),
  last_name: requiredName(100, 'lastNameRequired'),
  birth_date: dateField('birthDateRequired', 'birthDateInvalid'),
  sex: z.enum(['F', 'M'], { message: E + 'sexRequired' }),
  school_id: idOrNull,
  class_level: optionalText(10, 'classLevelInvalid'),
  diet: z.enum(DIETS, { message: E + 'dietRequired' }),
  allergies: optionalText(500, 'tooLong'),
  has_pai: checkbox,
  doctor_name: optionalName(100),
  doctor_phone: phone(false),
  image_rights: checkbox,
});

const childIds = z
  .union([z.string(), z.array(z.string())])
  .optional()
  .transform((v) =>
    v === undefined ? [] : (Array.isArray(v) ? v : [v]).filter((s) => /^\d{1,15}$/.test(s)).map(Number),
  );

const guardianSchema = z.object({
  kind: z.literal('guardian'),
  first_name: requiredName(100, 'firstNameRequired'),
  last_name: requiredName(100, 'lastNameRequired'),
  relationship: optionalText(60, 'tooLong'),
  phone: phone(true),
  phone2: phone(false),
  email: email(false),
  children: childIds,
});

const contactSchema = z.object({
  kind: z.literal('contact'),
  first_name: requiredName(100, 'firstNameRequired'),
  last_name: requiredName(100, 'lastNameRequired'),
  phone: phone(true),
  relationship: requiredText(60, 'relationshipRequired'),
  can_pick_up: checkbox,
  emergency_contact: checkbox,
});

export const memberSchema = z.discriminatedUnion('kind', [childSchema, guardianSchema, contactSchema], {
  message: E + 'kindRequired',
});
export type MemberInput = z.output<typeof memberSchema>;
export const MEMBER_KINDS = ['child', 'guardian', 'contact'] as const;
export type MemberKind = (typeof MEMBER_KINDS)[number];

export const inviteSchema = z.object({ email: email(true) });

export const activateSchema = z.object({
  family_number: requiredText(20, 'familyNumberRequired', 'familyNumberInvalid'),
  activation_code: requiredText(40, 'activationCodeRequired', 'activationCodeInvalid'),
});

export const lostCodeSchema = z
  .object({
    family_number: requiredText(20, 'familyNumberRequired', 'familyNumberInvalid'),
    proof: z.enum(['birth_date', 'postcode'], { message: E + 'proofRequired' }),
    child_birth_date: text().trim().max(10).optional().default(''),
    postcode: text()
      .trim()
      .max(5, E + 'postcodeInvalid')
      .optional()
      .default(''),
    contact_email: email(true),
  })
  .superRefine((v, ctx) => {
    if (v.proof === 'birth_date') {
      const r = dateField('birthDateRequired', 'birthDateInvalid').safeParse(v.child_birth_date ?? '');
      if (!r.success)
        ctx.addIssue({ code: 'custom', path: ['child_birth_date'], message: r.error.issues[0]!.message });
    }
    if (v.proof === 'postcode' && !/^\d{5}$/.test(v.postcode ?? ''))
      ctx.addIssue({
        code: 'custom',
        path: ['postcode'],
        message: E + (v.postcode ? 'postcodeInvalid' : 'postcodeRequired'),
      });
  }, always);

/** Family numbers as typed: "se-001001", "SE 001001" or just "1001" all mean SE-001001. */
export function normaliseFamilyNumber(value: string): string {
  const v = value.trim().toUpperCase().replace(/\s+/g, '');
  const digits = v.replace(/^SE-?/, '');
  return /^\d{1,6}$/.test(digits) ? `SE-${digits.padStart(6, '0')}` : v;
}

export const adminNewHouseholdSchema = z.object({
  guardian_first_name: requiredName(100, 'firstNameRequired'),
  guardian_last_name: requiredName(100, 'lastNameRequired'),
});

export const custodySchema = z.object({
  family_number: requiredText(20, 'familyNumberRequired', 'familyNumberInvalid'),
  weeks: z.enum(['odd', 'even'], { message: E + 'weeksRequired' }),
});

export const searchSchema = z.object({
  q: text().trim().max(100).optional().default(''),
  page: z.coerce.number().int().min(1).max(10_000).optional().default(1),
});
