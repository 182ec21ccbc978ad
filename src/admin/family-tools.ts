// The desk tools that work on one family: where each opens already on a family (`?household=`),
// and who may open it. The family page shows their buttons; the shared family search
// (family-picker.ts) sends the agent back to the tool with the family chosen.
import type { Role } from '../web/types.js';

const AGENTS: Role[] = ['agent', 'manager', 'admin'];
const MANAGERS: Role[] = ['manager', 'admin'];

export const DESK_TOOLS = {
  book: { path: '/admin/reservations/family', roles: AGENTS },
  enrol: { path: '/admin/enrolments/new', roles: AGENTS },
  upload: { path: '/admin/documents/upload', roles: AGENTS },
  pay: { path: '/admin/payments/desk', roles: MANAGERS },
} as const satisfies Record<string, { path: string; roles: Role[] }>;

export type DeskTool = keyof typeof DESK_TOOLS;

export const isDeskTool = (v: unknown): v is DeskTool =>
  typeof v === 'string' && Object.hasOwn(DESK_TOOLS, v);

export const toolUrl = (tool: DeskTool, householdId: number) =>
  `${DESK_TOOLS[tool].path}?household=${householdId}`;

/** The tools this role may open, each on the family. */
export const deskTools = (role: Role, householdId: number) =>
  (Object.keys(DESK_TOOLS) as DeskTool[])
    .filter((tool) => (DESK_TOOLS[tool].roles as readonly Role[]).includes(role))
    .map((tool) => ({ tool, href: toolUrl(tool, householdId) }));
