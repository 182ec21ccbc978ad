// Which attendance sheet a staff member sees: a sheet is a service on a day, for one school or
// several. A child is on the sheet of the school where the service is held, else of their own
// school; an animator sees only the children of their sites (a service of several schools
// included). With no service asked, the sheet is the day's open one of the person's first site.
import type { AppDeps } from '../deps.js';
import { dayStatesFrom, publicHolidaysIn, type DayState } from '../services/calendar.js';
import * as staffRepo from './staff-repository.js';
import type { SheetChild, SheetRow, SheetService, Site } from './staff-repository.js';

interface StaffAccount {
  id: number;
  role: string;
}

/** The order of a school day: the first sheet of the day comes first. */
const KIND_ORDER = ['before_school', 'canteen', 'after_school', 'wednesday', 'holiday'];

/** Whether a service takes children of this school. */
const serves = (s: SheetService, schoolId: number) =>
  s.site_school_id === schoolId ||
  (s.site_school_id === null && (s.school_ids.length === 0 || s.school_ids.includes(schoolId)));

const byDayOrder = (a: SheetService, b: SheetService) =>
  (KIND_ORDER.indexOf(a.kind) + 1 || 99) - (KIND_ORDER.indexOf(b.kind) + 1 || 99) ||
  (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);

/**
 * The sheet shown when none is asked: an open service (never one closed that day) of the
 * person's first site, held there first, in the order of the day; else the day's first open
 * service; none when nothing is open.
 */
function defaultService(
  services: SheetService[],
  sites: Site[],
  isOpen: (s: SheetService) => boolean,
): SheetService | undefined {
  const open = services.filter(isOpen).sort(byDayOrder);
  const site = sites[0];
  if (!site) return open[0];
  const here = open.filter((s) => serves(s, site.id));
  return here.find((s) => s.site_school_id === site.id) ?? here[0] ?? open[0];
}

/** Each service's state on the day (open, closed by the town with its reason, not running…). */
function dayStateOf(facts: Awaited<ReturnType<typeof staffRepo.sheetFacts>>, day: string) {
  const publicHolidays = publicHolidaysIn(facts.periods, day, day);
  return (s: SheetService): DayState | undefined =>
    dayStatesFrom(s, day, day, {
      periods: facts.periods,
      publicHolidays,
      closed: new Map(facts.closures.filter((c) => c.service_id === s.id).map((c) => [day, c.reason])),
    }).get(day);
}

/** A school filter value: a school id, or 'none' (children without a school); 'all' for every school. */
const schoolKey = (id: number | null) => (id === null ? 'none' : String(id));

export interface SheetPage {
  services: SheetService[];
  service: SheetService | undefined;
  /** The schools on this sheet (the filter's options when there are several). */
  schools: { value: string; name: string | null }[];
  /** The school shown: an id, 'none', 'all' (every school), '' (the sheet has one school: no filter). */
  school: string;
  schoolName: string | undefined;
  rows: SheetRow[];
  unbooked: SheetChild[];
  open: DayState | undefined;
  locked: boolean;
}

export function createAttendanceSheetService(deps: AppDeps) {
  const { db } = deps;

  /**
   * The sheet page of a day. `ask.service`: the service asked (undefined: the default one; a
   * service this account may not see: null is returned, a 404). `ask.school`: the school asked
   * (else the person's first site when it is on the sheet, else every school).
   */
  async function page(
    account: StaffAccount,
    day: string,
    ask: { service?: number; school?: string },
  ): Promise<SheetPage | null> {
    const facts = await staffRepo.sheetFacts(db, account, day);
    const stateOf = dayStateOf(facts, day);
    const service =
      ask.service === undefined
        ? defaultService(facts.services, facts.sites, (s) => stateOf(s)?.open === true)
        : facts.services.find((s) => s.id === ask.service);
    if (ask.service !== undefined && !service) return null;
    const restricted = account.role === 'animator' ? facts.sites.map((s) => s.id) : null;
    const sheet = service
      ? await staffRepo.attendanceSheet(db, service.id, day, restricted)
      : { rows: [], unbooked: [] };
    const schools = new Map<string, string | null>();
    for (const c of [...sheet.rows, ...sheet.unbooked])
      schools.set(schoolKey(c.sheet_school_id), c.sheet_school);
    const options = [...schools]
      .map(([value, name]) => ({ value, name }))
      .sort((a, b) => (a.name === null ? 1 : b.name === null ? -1 : a.name.localeCompare(b.name, 'fr')));
    const firstSite = facts.sites.map((s) => String(s.id)).find((id) => schools.has(id));
    const school =
      options.length < 2
        ? ''
        : ask.school === 'all' || (ask.school && schools.has(ask.school))
          ? ask.school
          : (firstSite ?? 'all');
    const kept = <T extends { sheet_school_id: number | null }>(list: T[]) =>
      school === '' || school === 'all' ? list : list.filter((c) => schoolKey(c.sheet_school_id) === school);
    // The school named in the title: the one shown, the sheet's only one, or an animator's only site.
    const schoolName =
      school && school !== 'all'
        ? options.find((o) => o.value === school)?.name
        : options.length === 1
          ? options[0]!.name
          : restricted?.length === 1
            ? facts.sites[0]!.name
            : undefined;
    return {
      services: facts.services,
      service,
      schools: options,
      school,
      schoolName: schoolName ?? undefined,
      rows: kept(sheet.rows),
      unbooked: kept(sheet.unbooked),
      open: service ? stateOf(service) : undefined,
      locked: facts.locked,
    };
  }

  /** Whether this account may mark the child on the service's sheet (an animator: a child of their sites). */
  async function mayMark(account: StaffAccount, serviceId: number, childId: number): Promise<boolean> {
    if (account.role !== 'animator') return true;
    const school = await staffRepo.sheetSchoolOf(db, serviceId, childId);
    return school !== null && (await staffRepo.siteIdsOf(db, account.id)).includes(school);
  }

  /**
   * The day's open sheets of the person's sites (each site by name, the services that take its
   * children in the order of the day), or of every open service for staff without sites: what
   * the staff home links to.
   */
  async function openSheets(account: StaffAccount, day: string) {
    const facts = await staffRepo.sheetFacts(db, account, day);
    const stateOf = dayStateOf(facts, day);
    const open = facts.services.filter((s) => stateOf(s)?.open).sort(byDayOrder);
    const href = (s: SheetService, site?: Site) =>
      `/admin/attendance?service=${s.id}&date=${day}${site && s.site_school_id === null ? `&school=${site.id}` : ''}`;
    if (!facts.sites.length)
      return open.map((s) => ({ service: { id: s.id, name: s.name }, site: null, href: href(s) }));
    return facts.sites.flatMap((site) =>
      open
        .filter((s) => serves(s, site.id))
        .map((s) => ({ service: { id: s.id, name: s.name }, site, href: href(s, site) })),
    );
  }

  return { page, mayMark, openSheets };
}
